/** Resolvers of social security's subgraph; thin, over {@link SocialSource}. */
import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import { selectedFields } from '../../runtime/lookahead.js';
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { EmployerRow, SocialSource } from '../data/SocialSource.js';

type Context = SubgraphContext<SocialSource>;
type EnterpriseRef = { uscc: string };

export const resolvers: GraphQLResolverMap<Context> = {
  Enterprise: {
    __resolveReference: (ref: EnterpriseRef): EnterpriseRef => ({ uscc: ref.uscc }),
    social(e: EnterpriseRef, _: unknown, { sources }: Context, info: GraphQLResolveInfo) {
      // The lists asked for are read in the same statement as the registration.
      sources.prefetchLists(e.uscc, selectedFields(info));
      return sources.employerOf(e.uscc);
    },
  },
  SocialProfile: {
    employerNo: (p: EmployerRow) => p.employer_no,
    registeredOn: (p: EmployerRow) => p.registered_on,
    insuredHeadcount: async (p: EmployerRow, _: unknown, { sources }: Context) => (await sources.headcountsOf(p.uscc))[0]?.insured ?? 0,
    headcountHistory: (p: EmployerRow, _: unknown, { sources }: Context) => sources.headcountsOf(p.uscc),
    arrears: (p: EmployerRow, _: unknown, { sources }: Context) => sources.arrearsOf(p.uscc),
    employees: (p: EmployerRow, args: { first: number; after?: string | null }, { sources }: Context) =>
      sources.employeesOf(p.uscc, args.first, args.after),
  },
  ContributionArrear: {
    insuranceType: (r: { insurance_type: string }) => r.insurance_type,
    amount: (r: { amount: string }) => Number(r.amount),
    settledOn: (r: { settled_on: string | null }) => r.settled_on,
  },
  Employee: {
    idNumber: (r: { id_number: string }) => r.id_number,
    insuredSince: (r: { insured_since: string }) => r.insured_since,
  },
};
