/** Resolvers of the tax administration's subgraph; thin, over {@link TaxSource}. */
import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import { selectedFields } from '../../runtime/lookahead.js';
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { TaxSource, TaxpayerRow } from '../data/TaxSource.js';

type Context = SubgraphContext<TaxSource>;
type EnterpriseRef = { uscc: string };

export const resolvers: GraphQLResolverMap<Context> = {
  Enterprise: {
    __resolveReference: (ref: EnterpriseRef): EnterpriseRef => ({ uscc: ref.uscc }),
    tax(e: EnterpriseRef, _: unknown, { sources }: Context, info: GraphQLResolveInfo) {
      // The lists asked for are read in the same statement as the registration.
      sources.prefetchLists(e.uscc, selectedFields(info));
      return sources.taxpayerOf(e.uscc);
    },
  },
  TaxProfile: {
    taxpayerType: (p: TaxpayerRow) => p.taxpayer_type,
    registeredOn: (p: TaxpayerRow) => p.registered_on,
    taxAuthority: (p: TaxpayerRow) => p.tax_authority,
    creditRatings: (p: TaxpayerRow, _: unknown, { sources }: Context) => sources.creditRatingsOf(p.uscc),
    arrears: (p: TaxpayerRow, _: unknown, { sources }: Context) => sources.arrearsOf(p.uscc),
    majorViolations: (p: TaxpayerRow, _: unknown, { sources }: Context) => sources.majorViolationsOf(p.uscc),
    filings: (p: TaxpayerRow, _: unknown, { sources }: Context) => sources.filingsOf(p.uscc),
  },
  TaxCreditRating: {
    evaluatedOn: (r: { evaluated_on: string }) => r.evaluated_on,
  },
  TaxArrear: {
    taxType: (r: { tax_type: string }) => r.tax_type,
    amount: (r: { amount: string }) => Number(r.amount),
    settledOn: (r: { settled_on: string | null }) => r.settled_on,
  },
  MajorTaxViolation: {
    caseNo: (r: { case_no: string }) => r.case_no,
    amount: (r: { amount: string }) => Number(r.amount),
    listedOn: (r: { listed_on: string }) => r.listed_on,
    removedOn: (r: { removed_on: string | null }) => r.removed_on,
  },
  TaxFiling: {
    filedOn: (r: { filed_on: string }) => r.filed_on,
    revenue: (r: { revenue: string }) => Number(r.revenue),
    taxPaid: (r: { tax_paid: string }) => Number(r.tax_paid),
  },
};
