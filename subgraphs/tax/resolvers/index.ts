/** Resolvers of the tax administration's subgraph; thin, over TaxSource (data/TaxSource.ts). */
import { selectedFields } from '../../runtime/lookahead.js';
import type { Resolvers } from '../generated/resolvers.js';
import { mutations } from './mutations.js';
import { entriesShown, publicityFields } from '../../runtime/recordView.js';
import type { MajorViolationRow } from '../data/TaxSource.js';

export const resolvers: Resolvers = {
  Mutation: mutations,
  Enterprise: {
    __resolveReference: (ref) => ({ uscc: ref.uscc }),
    tax(e, _, { sources }, info) {
      // The lists asked for are read in the same statement as the registration.
      sources.prefetchLists(e.uscc, selectedFields(info));
      return sources.taxpayerOf(e.uscc);
    },
  },
  TaxProfile: {
    jointMeasures: (p, _, { measures }) => measures.load(p.uscc),
    taxpayerType: (p) => p.taxpayer_type,
    registeredOn: (p) => p.registered_on,
    taxAuthority: (p) => p.tax_authority,
    creditRatings: (p, _, { sources }) => sources.creditRatingsOf(p.uscc),
    arrears: (p, _, { sources }) => sources.arrearsOf(p.uscc),
    majorViolations: async (p, _, { sources, recordView, recordDay, publicity }) => entriesShown(await sources.majorViolationsOf(p.uscc), 'MAJOR_TAX_VIOLATION', recordView, recordDay, publicity),
    filings: (p, _, { sources }) => sources.filingsOf(p.uscc),
  },
  TaxCreditRating: {
    entryId: (r) => r.entry_id,
    evaluatedOn: (r) => r.evaluated_on,
  },
  TaxArrear: {
    entryId: (r) => r.entry_id,
    taxType: (r) => r.tax_type,
    amount: (r) => Number(r.amount),
    settledOn: (r) => r.settled_on,
  },
  MajorTaxViolation: {
    entryId: (r) => r.entry_id,
    caseNo: (r) => r.case_no,
    amount: (r) => Number(r.amount),
    listedOn: (r) => r.listed_on,
    publishedOn: (r) => r.published_on,
    removedOn: (r) => r.removed_on,
    ...publicityFields<MajorViolationRow>('MAJOR_TAX_VIOLATION'),
  },
  TaxFiling: {
    filedOn: (r) => r.filed_on,
    revenue: (r) => Number(r.revenue),
    taxPaid: (r) => Number(r.tax_paid),
  },
};
