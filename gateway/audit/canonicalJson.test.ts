/**
 * Canonical JSON: the text every record's hash is taken over, so two equal records, however their
 * keys were built, must give the same text, and the text must stay what an auditor recomputes by
 * hand (keys sorted by code unit at every level, no spaces, undefined members left out).
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonicalJson.js';

describe('canonical JSON', () => {
  it('sorts keys at every level, whatever order they were built in', () => {
    const a = { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } };
    const b = { a: { c: null, d: [{ y: 2, z: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('orders keys by code unit, not by locale: capitals before small letters, other scripts after', () => {
    expect(canonicalJson({ é: 1, a: 2, B: 3, _: 4, 信: 5 })).toBe('{"B":3,"_":4,"a":2,"é":1,"信":5}');
  });

  it('leaves out undefined members and writes undefined in a list as null, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1], c: 'x' })).toBe('{"b":[null,1],"c":"x"}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('escapes strings as JSON does, keys included', () => {
    const value = { 'q"k': 'a"b\\c\n\u2028', list: [] as unknown[], empty: {} };
    expect(canonicalJson(value)).toBe(`{"empty":{},"list":[],${JSON.stringify('q"k')}:${JSON.stringify('a"b\\c\n\u2028')}}`);
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('keeps the text of a deeply frozen value, and never of one that can still change', () => {
    const decision = Object.freeze({ coordinate: 'Tax.rating', effect: 'ALLOW', rule: 'own_agency' });
    const decisions = Object.freeze([decision]);
    expect(canonicalJson({ decisions })).toBe('{"decisions":[{"coordinate":"Tax.rating","effect":"ALLOW","rule":"own_agency"}]}');
    expect(canonicalJson({ decisions, seq: 2 })).toBe('{"decisions":[{"coordinate":"Tax.rating","effect":"ALLOW","rule":"own_agency"}],"seq":2}');
    // Frozen on top, but what it holds can change: its text follows the change.
    const inner = { effect: 'ALLOW' };
    const shallow = Object.freeze([inner]);
    expect(canonicalJson(shallow)).toBe('[{"effect":"ALLOW"}]');
    inner.effect = 'DENY';
    expect(canonicalJson(shallow)).toBe('[{"effect":"DENY"}]');
    // Frozen, but a getter or a hole could answer differently next time: never kept.
    let reads = 0;
    const counted = Object.freeze({
      get n() {
        return ++reads;
      },
    });
    expect(canonicalJson(counted)).toBe('{"n":1}');
    expect(canonicalJson(counted)).toBe('{"n":2}');
    // eslint-disable-next-line no-sparse-arrays
    const holed = Object.freeze([, 1]);
    expect(canonicalJson(holed)).toBe('[null,1]');
    // Not frozen at all: the same.
    const open = { effect: 'ALLOW' };
    expect(canonicalJson(open)).toBe('{"effect":"ALLOW"}');
    open.effect = 'MASK';
    expect(canonicalJson(open)).toBe('{"effect":"MASK"}');
  });

  it('gives the text of a record an auditor recomputes: keys sorted, no spaces', () => {
    const record = {
      seq: 2,
      at: '2026-12-02T00:00:00.000Z',
      decisions: [{ coordinate: 'TaxProfile.arrears', effect: 'ALLOW', rule: 'own_agency' }],
      principal: { sub: 's', agency: 'TAX', roles: ['officer'], region: null },
    };
    const byHand = (v: unknown): string =>
      v === null || typeof v !== 'object'
        ? JSON.stringify(v)
        : Array.isArray(v)
          ? `[${v.map(byHand).join(',')}]`
          : `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${byHand((v as Record<string, unknown>)[k])}`)
              .join(',')}}`;
    expect(canonicalJson(record)).toBe(byHand(record));
    expect(canonicalJson(record)).not.toMatch(/\s/);
  });
});
