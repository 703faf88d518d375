/**
 * Social security's writes: contribution arrears and their settlement. Each checks its input
 * (every problem named at its input path), then records through the agency's write path
 * (subgraphs/runtime/writes.ts).
 */
import { insertEntry, supersedeEntry } from '../../runtime/entries.js';
import { InputChecks } from '../../runtime/writes.js';
import { CONTRIBUTION_ARREARS } from '../data/SocialEntries.js';
import type { ContributionArrearRow } from '../data/SocialSource.js';
import type { MutationResolvers } from '../generated/resolvers.js';

export const mutations: MutationResolvers = {
  async recordContributionArrears(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today())
      .amount('input.amount', input.amount)
      .integer('input.months', input.months, 1, 600)
      .notFuture('input.since', input.since)
      .entryVersion('input.supersedes', input.supersedes)
      .orThrow();
    const { receipt, entry } = await writes.record<ContributionArrearRow>(caller, { mutation: 'recordContributionArrears', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const facts = { insurance_type: input.insuranceType, amount: input.amount, months: input.months, since: input.since };
      if (input.supersedes) {
        const corrected = await supersedeEntry<ContributionArrearRow>(tx, CONTRIBUTION_ARREARS, { uscc: input.uscc, seen: input.supersedes, path: 'input.supersedes' }, facts, write);
        return { entry: corrected, kind: 'contribution_arrears_corrected' };
      }
      return { entry: await insertEntry<ContributionArrearRow>(tx, CONTRIBUTION_ARREARS, { ...facts, uscc: input.uscc, settled_on: null }, write.writeId), kind: 'contribution_arrears_recorded' };
    });
    return { receipt, entry };
  },

  async settleContributionArrears(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).entryVersion('input.entry', input.entry).orThrow();
    const { receipt, entry } = await writes.record<ContributionArrearRow>(caller, { mutation: 'settleContributionArrears', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const target = { uscc: input.uscc, seen: input.entry, path: 'input.entry', standing: { column: 'settled_on', done: 'settled', since: 'since' } };
      return { entry: await supersedeEntry<ContributionArrearRow>(tx, CONTRIBUTION_ARREARS, target, { settled_on: decision.decidedOn }, write), kind: 'contribution_arrears_settled' };
    });
    return { receipt, entry };
  },
};
