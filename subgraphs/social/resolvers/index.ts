/** Resolvers of social security's subgraph; thin, over SocialSource (data/SocialSource.ts). */
import { selectedFields } from '../../runtime/lookahead.js';
import type { Resolvers } from '../generated/resolvers.js';
import { mutations } from './mutations.js';

export const resolvers: Resolvers = {
  Mutation: mutations,
  Enterprise: {
    __resolveReference: (ref) => ({ uscc: ref.uscc }),
    social(e, _, { sources }, info) {
      // The lists asked for are read in the same statement as the registration.
      sources.prefetchLists(e.uscc, selectedFields(info));
      return sources.employerOf(e.uscc);
    },
  },
  SocialProfile: {
    jointMeasures: (p, _, { measures }) => measures.load(p.uscc),
    employerNo: (p) => p.employer_no,
    registeredOn: (p) => p.registered_on,
    insuredHeadcount: async (p, _, { sources }) => (await sources.headcountsOf(p.uscc))[0]?.insured ?? 0,
    headcountHistory: (p, _, { sources }) => sources.headcountsOf(p.uscc),
    arrears: (p, _, { sources }) => sources.arrearsOf(p.uscc),
    employees: (p, args, { sources }) => sources.employeesOf(p.uscc, args.first, args.after),
  },
  ContributionArrear: {
    entryId: (r) => r.entry_id,
    insuranceType: (r) => r.insurance_type,
    amount: (r) => Number(r.amount),
    settledOn: (r) => r.settled_on,
  },
  Employee: {
    idNumber: (r) => r.id_number,
    insuredSince: (r) => r.insured_since,
  },
};
