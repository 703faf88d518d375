/**
 * The tax administration's writes: yearly credit ratings, arrears and their settlement, the major
 * tax violation list. Each checks its input (every problem named at its input path), then records
 * through the agency's write path (subgraphs/runtime/writes.ts).
 */
import { insertEntry, publishEntry, supersedeEntry } from '../../runtime/entries.js';
import { InputChecks } from '../../runtime/writes.js';
import { ARREARS, CREDIT_RATINGS, MAJOR_VIOLATIONS } from '../data/TaxEntries.js';
import type { CreditRatingRow, MajorViolationRow, TaxArrearRow } from '../data/TaxSource.js';
import type { MutationResolvers } from '../generated/resolvers.js';

export const mutations: MutationResolvers = {
  async rateTaxCredit(_, { input, decision, idempotencyKey }, { caller, writes }) {
    const thisYear = Number(writes.today().slice(0, 4));
    new InputChecks(writes.today()).integer('input.year', input.year, 2000, thisYear).entryVersion('input.supersedes', input.supersedes).orThrow();
    const { receipt, entry } = await writes.record<CreditRatingRow>(caller, { mutation: 'rateTaxCredit', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const facts = { year: input.year, rating: input.rating, evaluated_on: decision.decidedOn };
      if (input.supersedes) {
        const corrected = await supersedeEntry<CreditRatingRow>(tx, CREDIT_RATINGS, { uscc: input.uscc, seen: input.supersedes, path: 'input.supersedes' }, facts, write);
        return { entry: corrected, kind: 'tax_credit_rating_corrected' };
      }
      return { entry: await insertEntry<CreditRatingRow>(tx, CREDIT_RATINGS, { ...facts, uscc: input.uscc }, write.writeId), kind: 'tax_credit_rated' };
    });
    return { receipt, rating: entry };
  },

  async recordTaxArrears(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today())
      .text('input.taxType', input.taxType, 100)
      .amount('input.amount', input.amount)
      .notFuture('input.since', input.since)
      .entryVersion('input.supersedes', input.supersedes)
      .orThrow();
    const { receipt, entry } = await writes.record<TaxArrearRow>(caller, { mutation: 'recordTaxArrears', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const facts = { tax_type: input.taxType, amount: input.amount, since: input.since };
      if (input.supersedes) {
        const corrected = await supersedeEntry<TaxArrearRow>(tx, ARREARS, { uscc: input.uscc, seen: input.supersedes, path: 'input.supersedes' }, facts, write);
        return { entry: corrected, kind: 'tax_arrears_corrected' };
      }
      return { entry: await insertEntry<TaxArrearRow>(tx, ARREARS, { ...facts, uscc: input.uscc, settled_on: null }, write.writeId), kind: 'tax_arrears_recorded' };
    });
    return { receipt, entry };
  },

  async settleTaxArrears(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).entryVersion('input.entry', input.entry).orThrow();
    const { receipt, entry } = await writes.record<TaxArrearRow>(caller, { mutation: 'settleTaxArrears', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const target = { uscc: input.uscc, seen: input.entry, path: 'input.entry', standing: { column: 'settled_on', done: 'settled', since: 'since' } };
      return { entry: await supersedeEntry<TaxArrearRow>(tx, ARREARS, target, { settled_on: decision.decidedOn }, write), kind: 'tax_arrears_settled' };
    });
    return { receipt, entry };
  },

  async listMajorTaxViolation(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today())
      .text('input.nature', input.nature, 500)
      .amount('input.amount', input.amount)
      .notFuture('input.publishedOn', input.publishedOn)
      .notBefore('input.publishedOn', input.publishedOn, decision.decidedOn, 'the decision of')
      .orThrow();
    const { receipt, entry } = await writes.record<MajorViolationRow>(caller, { mutation: 'listMajorTaxViolation', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const values = {
        uscc: input.uscc,
        case_no: decision.documentNo,
        nature: input.nature,
        amount: input.amount,
        listed_on: decision.decidedOn,
        published_on: input.publishedOn ?? null,
        authority: decision.authority,
        removed_on: null,
      };
      return { entry: await insertEntry<MajorViolationRow>(tx, MAJOR_VIOLATIONS, values, write.writeId), kind: 'major_tax_violation_listed' };
    });
    return { receipt, entry };
  },

  async removeMajorTaxViolation(_, { input, decision, idempotencyKey }, { caller, writes }) {
    new InputChecks(writes.today()).entryVersion('input.entry', input.entry).orThrow();
    const { receipt, entry } = await writes.record<MajorViolationRow>(caller, { mutation: 'removeMajorTaxViolation', uscc: input.uscc, decision, idempotencyKey, input }, async (tx, write) => {
      const target = { uscc: input.uscc, seen: input.entry, path: 'input.entry', standing: { column: 'removed_on', done: 'removed', since: 'listed_on' } };
      return { entry: await supersedeEntry<MajorViolationRow>(tx, MAJOR_VIOLATIONS, target, { removed_on: decision.decidedOn }, write), kind: 'major_tax_violation_removed' };
    });
    return { receipt, entry };
  },

  async publishMajorTaxViolation(_, { input, idempotencyKey }, { caller, writes }) {
    return publishEntry<MajorViolationRow>(writes, caller, MAJOR_VIOLATIONS, 'publishMajorTaxViolation', 'listed_on', input, idempotencyKey, 'major_tax_violation_published');
  },
};
