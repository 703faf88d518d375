/** Resolvers of the customs subgraph; thin, over {@link CustomsSource}. */
import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import { selectedFields } from '../../runtime/lookahead.js';
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { CustomsRegistrationRow, CustomsSource } from '../data/CustomsSource.js';

type Context = SubgraphContext<CustomsSource>;
type EnterpriseRef = { uscc: string };

export const resolvers: GraphQLResolverMap<Context> = {
  Enterprise: {
    __resolveReference: (ref: EnterpriseRef): EnterpriseRef => ({ uscc: ref.uscc }),
    customs(e: EnterpriseRef, _: unknown, { sources }: Context, info: GraphQLResolveInfo) {
      // The lists asked for are read in the same statement as the registration.
      sources.prefetchLists(e.uscc, selectedFields(info));
      return sources.registrationOf(e.uscc);
    },
  },
  CustomsProfile: {
    customsCode: (p: CustomsRegistrationRow) => p.customs_code,
    registeredOn: (p: CustomsRegistrationRow) => p.registered_on,
    creditLevel: (p: CustomsRegistrationRow) => p.credit_level,
    creditLevelSince: (p: CustomsRegistrationRow) => p.credit_level_since,
    declarations: (p: CustomsRegistrationRow, args: { first: number; after?: string | null }, { sources }: Context) =>
      sources.declarationsOf(p.uscc, args.first, args.after),
    violations: (p: CustomsRegistrationRow, _: unknown, { sources }: Context) => sources.violationsOf(p.uscc),
  },
  CustomsDeclaration: {
    entryNo: (r: { entry_no: string }) => r.entry_no,
    declaredOn: (r: { declared_on: string }) => r.declared_on,
    hsCode: (r: { hs_code: string }) => r.hs_code,
    value: (r: { value: string }) => Number(r.value),
    tradeMode: (r: { trade_mode: string }) => r.trade_mode,
  },
  CustomsViolation: {
    decisionNo: (r: { decision_no: string }) => r.decision_no,
    decidedOn: (r: { decided_on: string }) => r.decided_on,
    penaltyAmount: (r: { penalty_amount: string }) => Number(r.penalty_amount),
  },
};
