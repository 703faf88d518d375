/** Resolvers of the customs subgraph; thin, over CustomsSource (data/CustomsSource.ts). */
import { selectedFields } from '../../runtime/lookahead.js';
import type { Resolvers } from '../generated/resolvers.js';
import { mutations } from './mutations.js';
import { entriesShown, publicityFields } from '../../runtime/recordView.js';
import type { CustomsViolationRow } from '../data/CustomsSource.js';

export const resolvers: Resolvers = {
  Mutation: mutations,
  Enterprise: {
    __resolveReference: (ref) => ({ uscc: ref.uscc }),
    customs(e, _, { sources }, info) {
      // The lists asked for are read in the same statement as the registration.
      sources.prefetchLists(e.uscc, selectedFields(info));
      return sources.registrationOf(e.uscc);
    },
  },
  CustomsProfile: {
    jointMeasures: (p, _, { measures }) => measures.load(p.uscc),
    entryId: (r) => r.entry_id,
    customsCode: (p) => p.customs_code,
    registeredOn: (p) => p.registered_on,
    creditLevel: (p) => p.credit_level,
    creditLevelSince: (p) => p.credit_level_since,
    declarations: (p, args, { sources }) => sources.declarationsOf(p.uscc, args.first, args.after),
    violations: async (p, _, { sources, recordView, recordDay, publicity }) => entriesShown(await sources.violationsOf(p.uscc), 'CUSTOMS_VIOLATION', recordView, recordDay, publicity),
  },
  CustomsDeclaration: {
    entryNo: (r) => r.entry_no,
    declaredOn: (r) => r.declared_on,
    hsCode: (r) => r.hs_code,
    value: (r) => Number(r.value),
    tradeMode: (r) => r.trade_mode,
  },
  CustomsViolation: {
    entryId: (r) => r.entry_id,
    decisionNo: (r) => r.decision_no,
    decidedOn: (r) => r.decided_on,
    publishedOn: (r) => r.published_on,
    penaltyAmount: (r) => Number(r.penalty_amount),
    ...publicityFields<CustomsViolationRow>('CUSTOMS_VIOLATION'),
  },
};
