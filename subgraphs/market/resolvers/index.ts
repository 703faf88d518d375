/** Resolvers of market regulation's subgraph; thin, over MarketSource (data/MarketSource.ts). */
import { checkCodeCount } from '../../../platform/domain/codeLists.js';
import { loadListMoveRules } from '../../../platform/domain/publicity.js';
import { selectedFields } from '../../runtime/lookahead.js';
import { decisionsShown, entriesShown, publicityFields } from '../../runtime/recordView.js';
import type { AbnormalOperationRow, PenaltyRow, SeriousViolationRow } from '../data/MarketSource.js';
import type { Resolvers } from '../generated/resolvers.js';
import { mutations } from './mutations.js';

/** The list moves' rules (policies/meg/credit/data.json), read once. */
const LIST_MOVES = loadListMoveRules();

export const resolvers: Resolvers = {
  Query: {
    async enterprise(_, { uscc }, { sources }, info) {
      // The lists asked for under market are read in the same statement as the registration.
      sources.prefetchLists(uscc, selectedFields(info, 'market'));
      return (await sources.registrationOf(uscc)) ? { uscc } : null;
    },
    async enterprises(_, { uscc }, { sources }, info) {
      checkCodeCount(uscc);
      const lists = selectedFields(info, 'market');
      for (const code of uscc) sources.prefetchLists(code, lists);
      const registrations = await Promise.all(uscc.map((code) => sources.registrationOf(code)));
      return registrations.map((r) => (r ? { uscc: r.uscc } : null));
    },
    listMovesDue: (_, { asOf }, { sources, today }) => sources.listMovesDue(LIST_MOVES, asOf ?? today),
    async searchEnterprises(_, args, { sources }) {
      const page = await sources.searchEnterprises(args);
      const edges = page.edges.map(({ cursor, uscc }) => ({ cursor, node: { uscc } }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  },
  Mutation: mutations,
  Enterprise: {
    __resolveReference: (ref) => ({ uscc: ref.uscc }),
    market(enterprise, _, { sources }, info) {
      sources.prefetchLists(enterprise.uscc, selectedFields(info));
      return sources.registrationOf(enterprise.uscc);
    },
  },
  MarketProfile: {
    jointMeasures: (p, _, { measures }) => measures.load(p.uscc),
    entityType: (p) => p.entity_type,
    establishedOn: (p) => p.established_on,
    registeredCapital: (p) => Number(p.registered_capital),
    regionCode: (p) => p.region_code,
    industryCode: (p) => p.industry_code,
    businessScope: (p) => p.business_scope,
    legalRepresentative: (p) => ({ name: p.legal_rep_name, idNumber: p.legal_rep_id_number, phone: p.legal_rep_phone }),
    licences: async (p, _, { sources, recordView, today }) => decisionsShown(await sources.licencesOf(p.uscc), recordView, today),
    penalties: async (p, _, { sources, recordView, recordDay, publicity }) => entriesShown(await sources.penaltiesOf(p.uscc), 'ADMINISTRATIVE_PENALTY', recordView, recordDay, publicity),
    abnormalOperations: async (p, _, { sources, recordView, recordDay, publicity }) => entriesShown(await sources.abnormalOperationsOf(p.uscc), 'ABNORMAL_OPERATION', recordView, recordDay, publicity),
    seriousViolations: async (p, _, { sources, recordView, recordDay, publicity }) => entriesShown(await sources.seriousViolationsOf(p.uscc), 'SERIOUS_VIOLATION', recordView, recordDay, publicity),
    annualReports: (p, _, { sources }) => sources.annualReportsOf(p.uscc),
    creditCommitments: (p, _, { sources }) => sources.creditCommitmentsOf(p.uscc),
  },
  AdministrativeLicence: {
    entryId: (r) => r.entry_id,
    licenceNo: (r) => r.licence_no,
    decisionNo: (r) => r.decision_no,
    grantedOn: (r) => r.granted_on,
    validUntil: (r) => r.valid_until,
    publishedOn: (r) => r.published_on,
  },
  AdministrativePenalty: {
    entryId: (r) => r.entry_id,
    decisionNo: (r) => r.decision_no,
    decidedOn: (r) => r.decided_on,
    publishedOn: (r) => r.published_on,
    amount: (r) => Number(r.amount),
    ...publicityFields<PenaltyRow>('ADMINISTRATIVE_PENALTY'),
  },
  AbnormalOperationEntry: {
    entryId: (r) => r.entry_id,
    listedOn: (r) => r.listed_on,
    removedOn: (r) => r.removed_on,
    ...publicityFields<AbnormalOperationRow>('ABNORMAL_OPERATION'),
  },
  SeriousViolationEntry: {
    entryId: (r) => r.entry_id,
    decisionNo: (r) => r.decision_no,
    listedOn: (r) => r.listed_on,
    removedOn: (r) => r.removed_on,
    ...publicityFields<SeriousViolationRow>('SERIOUS_VIOLATION'),
  },
  AnnualReport: {
    filedOn: (r) => r.filed_on,
    employeeCount: (r) => r.employee_count,
    totalAssets: (r) => Number(r.total_assets),
  },
  CreditCommitment: {
    entryId: (r) => r.entry_id,
    committedOn: (r) => r.committed_on,
  },
};
