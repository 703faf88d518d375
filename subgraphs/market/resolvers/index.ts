/** Resolvers of market regulation's subgraph; thin, over {@link MarketSource}. */
import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import { selectedFields } from '../../runtime/lookahead.js';
import { checkCodeCount } from '../../../platform/domain/codeLists.js';
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { MarketSource, RegistrationRow } from '../data/MarketSource.js';

type Context = SubgraphContext<MarketSource>;
type EnterpriseRef = { uscc: string };
type Profile = RegistrationRow;

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    async enterprise(_: unknown, { uscc }: { uscc: string }, { sources }: Context, info: GraphQLResolveInfo): Promise<EnterpriseRef | null> {
      // The lists asked for under market are read in the same statement as the registration.
      sources.prefetchLists(uscc, selectedFields(info, 'market'));
      return (await sources.registrationOf(uscc)) ? { uscc } : null;
    },
    async enterprises(_: unknown, { uscc }: { uscc: string[] }, { sources }: Context, info: GraphQLResolveInfo): Promise<(EnterpriseRef | null)[]> {
      checkCodeCount(uscc);
      const lists = selectedFields(info, 'market');
      for (const code of uscc) sources.prefetchLists(code, lists);
      const registrations = await Promise.all(uscc.map((code) => sources.registrationOf(code)));
      return registrations.map((r) => (r ? { uscc: r.uscc } : null));
    },
    async searchEnterprises(
      _: unknown,
      args: { name?: string | null; regionCode?: string | null; industryCode?: string | null; first: number; after?: string | null },
      { sources }: Context,
    ) {
      const page = await sources.searchEnterprises(args);
      const edges = page.edges.map(({ cursor, uscc }) => ({ cursor, node: { uscc } }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },
  Enterprise: {
    __resolveReference(ref: EnterpriseRef): EnterpriseRef {
      return { uscc: ref.uscc };
    },
    market(enterprise: EnterpriseRef, _: unknown, { sources }: Context, info: GraphQLResolveInfo): Promise<Profile | null> {
      sources.prefetchLists(enterprise.uscc, selectedFields(info));
      return sources.registrationOf(enterprise.uscc);
    },
  },
  MarketProfile: {
    entityType: (p: Profile) => p.entity_type,
    establishedOn: (p: Profile) => p.established_on,
    registeredCapital: (p: Profile) => Number(p.registered_capital),
    regionCode: (p: Profile) => p.region_code,
    industryCode: (p: Profile) => p.industry_code,
    businessScope: (p: Profile) => p.business_scope,
    legalRepresentative: (p: Profile) => ({ name: p.legal_rep_name, idNumber: p.legal_rep_id_number, phone: p.legal_rep_phone }),
    licences: (p: Profile, _: unknown, { sources }: Context) => sources.licencesOf(p.uscc),
    penalties: (p: Profile, _: unknown, { sources }: Context) => sources.penaltiesOf(p.uscc),
    abnormalOperations: (p: Profile, _: unknown, { sources }: Context) => sources.abnormalOperationsOf(p.uscc),
    seriousViolations: (p: Profile, _: unknown, { sources }: Context) => sources.seriousViolationsOf(p.uscc),
    annualReports: (p: Profile, _: unknown, { sources }: Context) => sources.annualReportsOf(p.uscc),
    creditCommitments: (p: Profile, _: unknown, { sources }: Context) => sources.creditCommitmentsOf(p.uscc),
  },
  AdministrativeLicence: {
    licenceNo: (r: { licence_no: string }) => r.licence_no,
    grantedOn: (r: { granted_on: string }) => r.granted_on,
    validUntil: (r: { valid_until: string | null }) => r.valid_until,
  },
  AdministrativePenalty: {
    decisionNo: (r: { decision_no: string }) => r.decision_no,
    decidedOn: (r: { decided_on: string }) => r.decided_on,
    publishedOn: (r: { published_on: string }) => r.published_on,
    amount: (r: { amount: string }) => Number(r.amount),
  },
  AbnormalOperationEntry: {
    listedOn: (r: { listed_on: string }) => r.listed_on,
    removedOn: (r: { removed_on: string | null }) => r.removed_on,
  },
  SeriousViolationEntry: {
    decisionNo: (r: { decision_no: string }) => r.decision_no,
    listedOn: (r: { listed_on: string }) => r.listed_on,
    removedOn: (r: { removed_on: string | null }) => r.removed_on,
  },
  AnnualReport: {
    filedOn: (r: { filed_on: string }) => r.filed_on,
    employeeCount: (r: { employee_count: number }) => r.employee_count,
    totalAssets: (r: { total_assets: string }) => Number(r.total_assets),
  },
  CreditCommitment: {
    committedOn: (r: { committed_on: string }) => r.committed_on,
  },
};
