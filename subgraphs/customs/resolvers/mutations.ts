/**
 * Customs' writes: the enterprise credit level and violation decisions. Each checks its input
 * (every problem named at its input path), then records through the agency's write path
 * (subgraphs/runtime/writes.ts).
 */
import { insertEntry, publishEntry, supersedeEntry } from '../../runtime/entries.js';
import { badInput, correctionDoesNotPublish, InputChecks } from '../../runtime/writes.js';
import { REGISTRATIONS, VIOLATIONS } from '../data/CustomsEntries.js';
import type { CustomsRegistrationRow, CustomsViolationRow } from '../data/CustomsSource.js';
import type { MutationResolvers } from '../generated/resolvers.js';

export const mutations: MutationResolvers = {
  async setCustomsCreditLevel(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).entryVersion('input.seen', input.seen).orThrow();
    const { receipt, entry } = await writes.record<CustomsRegistrationRow>(caller, { mutation: 'setCustomsCreditLevel', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      // The level is the registration's: its current version, or the one the officer saw.
      const [current] = await tx.query<{ entry_id: string; version: number }>('SELECT entry_id, version FROM customs_registrations WHERE uscc = $1 AND superseded_at IS NULL', [input.uscc]);
      if (!current) throw badInput('input.uscc', `${input.uscc} is not registered with customs: a credit level is set on a registration`);
      const seen = input.seen ?? { entryId: current.entry_id, version: current.version };
      const changes = { credit_level: input.creditLevel, credit_level_since: decision.decidedOn };
      return { entry: await supersedeEntry<CustomsRegistrationRow>(tx, REGISTRATIONS, { uscc: input.uscc, seen, path: 'input.seen' }, changes, write), kind: 'customs_credit_level_set' };
    });
    return { receipt, registration: entry };
  },

  async recordCustomsViolation(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today())
      .text('input.nature', input.nature, 500)
      .amount('input.penaltyAmount', input.penaltyAmount)
      .notFuture('input.publishedOn', input.publishedOn)
      .notBefore('input.publishedOn', input.publishedOn, decision.decidedOn, 'the decision of')
      .entryVersion('input.supersedes', input.supersedes)
      .orThrow();
    if (input.supersedes && input.publishedOn) throw correctionDoesNotPublish('publishCustomsViolation');
    const { receipt, entry } = await writes.record<CustomsViolationRow>(caller, { mutation: 'recordCustomsViolation', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const facts = { nature: input.nature, penalty_amount: input.penaltyAmount };
      if (input.supersedes) {
        const corrected = await supersedeEntry<CustomsViolationRow>(tx, VIOLATIONS, { uscc: input.uscc, seen: input.supersedes, path: 'input.supersedes' }, facts, write);
        return { entry: corrected, kind: 'customs_violation_corrected' };
      }
      const values = { ...facts, published_on: input.publishedOn ?? null, uscc: input.uscc, decision_no: decision.documentNo, decided_on: decision.decidedOn, authority: decision.authority };
      return { entry: await insertEntry<CustomsViolationRow>(tx, VIOLATIONS, values, write.writeId), kind: 'customs_violation_recorded' };
    });
    return { receipt, violation: entry };
  },

  async publishCustomsViolation(_, { input, idempotencyKey }, { caller, writes }) {
    const { receipt, entry } = await publishEntry<CustomsViolationRow>(writes, caller, VIOLATIONS, 'publishCustomsViolation', 'decided_on', input, idempotencyKey, 'customs_violation_published');
    return { receipt, violation: entry };
  },
};
