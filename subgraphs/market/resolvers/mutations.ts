/**
 * Market regulation's writes: penalties, licences, the two lists, credit commitments. Each checks
 * its input (every problem named at its input path), then records through the agency's write path
 * (subgraphs/runtime/writes.ts): one transaction with the entry version, its provenance and its
 * credit event.
 */
import { InputChecks, correctionDoesNotPublish } from '../../runtime/writes.js';
import { insertEntry, publishEntry, supersedeEntry } from '../../runtime/entries.js';
import type { MutationResolvers } from '../generated/resolvers.js';
import { ABNORMAL_OPERATIONS, CREDIT_COMMITMENTS, LICENCES, PENALTIES, SERIOUS_VIOLATIONS } from '../data/MarketEntries.js';
import type { AbnormalOperationRow, CreditCommitmentRow, LicenceRow, PenaltyRow, SeriousViolationRow } from '../data/MarketSource.js';

export const mutations: MutationResolvers = {
  async recordPenalty(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today())
      .text('input.cause', input.cause)
      .text('input.basis', input.basis)
      .text('input.result', input.result, 500)
      .amount('input.amount', input.amount)
      .notFuture('input.publishedOn', input.publishedOn)
      .notBefore('input.publishedOn', input.publishedOn, decision.decidedOn, 'the decision of')
      .entryVersion('input.supersedes', input.supersedes)
      .orThrow();
    if (input.supersedes && input.publishedOn) throw correctionDoesNotPublish('publishPenalty');
    const { receipt, entry } = await writes.record<PenaltyRow>(caller, { mutation: 'recordPenalty', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const facts = { category: input.category, cause: input.cause, basis: input.basis, result: input.result, amount: input.amount };
      if (input.supersedes) {
        const corrected = await supersedeEntry<PenaltyRow>(tx, PENALTIES, { uscc: input.uscc, seen: input.supersedes, path: 'input.supersedes' }, facts, write);
        return { entry: corrected, kind: 'penalty_corrected' };
      }
      const values = { ...facts, published_on: input.publishedOn ?? null, uscc: input.uscc, decision_no: decision.documentNo, decided_on: decision.decidedOn, authority: decision.authority };
      return { entry: await insertEntry<PenaltyRow>(tx, PENALTIES, values, write.writeId), kind: 'penalty_recorded' };
    });
    return { receipt, penalty: entry };
  },

  async recordLicence(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today())
      .text('input.licenceNo', input.licenceNo, 100)
      .text('input.title', input.title, 200)
      .notBefore('input.validUntil', input.validUntil, decision.decidedOn, 'the grant of')
      .notFuture('input.publishedOn', input.publishedOn)
      .notBefore('input.publishedOn', input.publishedOn, decision.decidedOn, 'the grant of')
      .entryVersion('input.supersedes', input.supersedes)
      .orThrow();
    if (input.supersedes && input.publishedOn) throw correctionDoesNotPublish('publishLicence');
    const { receipt, entry } = await writes.record<LicenceRow>(caller, { mutation: 'recordLicence', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const facts = {
        licence_no: input.licenceNo,
        title: input.title,
        category: input.category,
        valid_until: input.validUntil ?? null,
        ...(input.publishedOn ? { published_on: input.publishedOn } : {}),
      };
      if (input.supersedes) {
        const corrected = await supersedeEntry<LicenceRow>(tx, LICENCES, { uscc: input.uscc, seen: input.supersedes, path: 'input.supersedes' }, facts, write);
        return { entry: corrected, kind: 'licence_corrected' };
      }
      const values = { ...facts, published_on: input.publishedOn ?? null, uscc: input.uscc, decision_no: decision.documentNo, authority: decision.authority, granted_on: decision.decidedOn };
      return { entry: await insertEntry<LicenceRow>(tx, LICENCES, values, write.writeId), kind: 'licence_recorded' };
    });
    return { receipt, licence: entry };
  },

  async publishPenalty(_, { input, idempotencyKey }, { caller, writes }) {
    const { receipt, entry } = await publishEntry<PenaltyRow>(writes, caller, PENALTIES, 'publishPenalty', 'decided_on', input, idempotencyKey, 'penalty_published');
    return { receipt, penalty: entry };
  },

  async publishLicence(_, { input, idempotencyKey }, { caller, writes }) {
    const { receipt, entry } = await publishEntry<LicenceRow>(writes, caller, LICENCES, 'publishLicence', 'granted_on', input, idempotencyKey, 'licence_published');
    return { receipt, licence: entry };
  },

  async listAbnormalOperation(_, { input, decision, idempotencyKey }, { caller, writes }) {
    const { receipt, entry } = await writes.record<AbnormalOperationRow>(caller, { mutation: 'listAbnormalOperation', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const values = { uscc: input.uscc, reason: input.reason, listed_on: decision.decidedOn, authority: decision.authority, removed_on: null };
      return { entry: await insertEntry<AbnormalOperationRow>(tx, ABNORMAL_OPERATIONS, values, write.writeId), kind: 'abnormal_operation_listed' };
    });
    return { receipt, entry };
  },

  async removeAbnormalOperation(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).entryVersion('input.entry', input.entry).orThrow();
    const { receipt, entry } = await writes.record<AbnormalOperationRow>(caller, { mutation: 'removeAbnormalOperation', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const target = { uscc: input.uscc, seen: input.entry, path: 'input.entry', standing: { column: 'removed_on', done: 'removed', since: 'listed_on' } };
      const removed = await supersedeEntry<AbnormalOperationRow>(tx, ABNORMAL_OPERATIONS, target, { removed_on: decision.decidedOn }, write);
      return { entry: removed, kind: 'abnormal_operation_removed' };
    });
    return { receipt, entry };
  },

  async listSeriousViolation(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).text('input.reason', input.reason).orThrow();
    const { receipt, entry } = await writes.record<SeriousViolationRow>(caller, { mutation: 'listSeriousViolation', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const values = { uscc: input.uscc, decision_no: decision.documentNo, reason: input.reason, listed_on: decision.decidedOn, authority: decision.authority, removed_on: null };
      return { entry: await insertEntry<SeriousViolationRow>(tx, SERIOUS_VIOLATIONS, values, write.writeId), kind: 'serious_violation_listed' };
    });
    return { receipt, entry };
  },

  async removeSeriousViolation(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).entryVersion('input.entry', input.entry).orThrow();
    const { receipt, entry } = await writes.record<SeriousViolationRow>(caller, { mutation: 'removeSeriousViolation', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const target = { uscc: input.uscc, seen: input.entry, path: 'input.entry', standing: { column: 'removed_on', done: 'removed', since: 'listed_on' } };
      const removed = await supersedeEntry<SeriousViolationRow>(tx, SERIOUS_VIOLATIONS, target, { removed_on: decision.decidedOn }, write);
      return { entry: removed, kind: 'serious_violation_removed' };
    });
    return { receipt, entry };
  },

  async recordCreditCommitment(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).text('input.matter', input.matter, 500).notFuture('input.committedOn', input.committedOn).entryVersion('input.supersedes', input.supersedes).orThrow();
    const { receipt, entry } = await writes.record<CreditCommitmentRow>(caller, { mutation: 'recordCreditCommitment', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const facts = { matter: input.matter, committed_on: input.committedOn, fulfilled: input.fulfilled };
      if (input.supersedes) {
        const corrected = await supersedeEntry<CreditCommitmentRow>(tx, CREDIT_COMMITMENTS, { uscc: input.uscc, seen: input.supersedes, path: 'input.supersedes' }, facts, write);
        return { entry: corrected, kind: 'credit_commitment_corrected' };
      }
      return { entry: await insertEntry<CreditCommitmentRow>(tx, CREDIT_COMMITMENTS, { ...facts, uscc: input.uscc }, write.writeId), kind: 'credit_commitment_recorded' };
    });
    return { receipt, commitment: entry };
  },
};
