import { generateKeyPairSync } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CursorSealer, cursorKey } from './cursor.js';

const social = generateKeyPairSync('x25519').privateKey;
const customs = generateKeyPairSync('x25519').privateKey;
/** A position holding a person's name and resident ID number, as the employees list sorts by them. */
const POSITION = ['王小明', '110101199003071234'];

/** A clock the test moves by hand. */
function clock(start = Date.parse('2026-12-01T08:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** The error `fn` throws, as a GraphQL error. */
function refusal(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('it did not refuse');
}

describe('a sealed cursor', () => {
  it('gives back the position it was sealed with, to the service that sealed it', () => {
    const sealer = new CursorSealer(cursorKey(social, 'social'));
    expect(sealer.open('social_employees', sealer.seal('social_employees', POSITION), 2)).toEqual(POSITION);
  });

  it('carries nothing of the position a caller could read', () => {
    const sealer = new CursorSealer(cursorKey(social, 'social'));
    const cursor = sealer.seal('social_employees', POSITION);
    const body = Buffer.from(cursor.slice(cursor.indexOf('.') + 1), 'base64url');
    for (const text of [cursor, body.toString('utf8'), body.toString('latin1'), body.toString('hex')]) {
      expect(text).not.toContain('110101199003071234');
      expect(text).not.toContain('王小明');
      expect(text).not.toContain('1990');
    }
    // Two cursors for the same row differ, so a cursor cannot serve to link records either.
    expect(sealer.seal('social_employees', POSITION)).not.toBe(cursor);
  });

  it('is refused when a single character of it was changed', () => {
    const sealer = new CursorSealer(cursorKey(social, 'social'));
    const cursor = sealer.seal('social_employees', POSITION);
    const i = cursor.length - 5;
    const altered = `${cursor.slice(0, i)}${cursor[i] === 'A' ? 'B' : 'A'}${cursor.slice(i + 1)}`;
    const error = refusal(() => sealer.open('social_employees', altered, 2));
    expect(error.message).toBe('after is not a cursor of this list: it was altered, or it comes from another list, enterprise or service');
    expect(error.extensions).toEqual({ code: 'INVALID_CURSOR', argument: 'after' });
  });

  it('is refused by another list of the same service and by another service', () => {
    const own = new CursorSealer(cursorKey(social, 'social'));
    const cursor = own.seal('social_employees', POSITION);
    expect(refusal(() => own.open('customs_declarations', cursor, 2)).extensions['code']).toBe('INVALID_CURSOR');
    expect(refusal(() => new CursorSealer(cursorKey(customs, 'customs')).open('social_employees', cursor, 2)).extensions['code']).toBe('INVALID_CURSOR');
    // The same private key names a different key per service, too.
    expect(refusal(() => new CursorSealer(cursorKey(social, 'audit')).open('social_employees', cursor, 2)).extensions['code']).toBe('INVALID_CURSOR');
  });

  it("is refused on another enterprise's list: a position in one is no position in another", () => {
    const sealer = new CursorSealer(cursorKey(social, 'social'));
    const cursor = sealer.seal('social_employees', POSITION, '91350100M000100Y43');
    expect(sealer.open('social_employees', cursor, 2, 'after', '91350100M000100Y43')).toEqual(POSITION);
    expect(refusal(() => sealer.open('social_employees', cursor, 2, 'after', '911101010810111653')).extensions['code']).toBe('INVALID_CURSOR');
    expect(refusal(() => sealer.open('social_employees', cursor, 2)).extensions['code']).toBe('INVALID_CURSOR');
  });

  it('is refused when it is not a cursor at all, whatever its form', () => {
    const sealer = new CursorSealer(cursorKey(social, 'social'));
    const legacy = Buffer.from(JSON.stringify(POSITION)).toString('base64url');
    for (const text of [legacy, '', 'c1.', 'c1.AAAA', `c1.${'A'.repeat(3000)}`, 'c2.abc', '\u0000']) {
      expect(refusal(() => sealer.open('social_employees', text, 2, 'after')).extensions).toEqual({ code: 'INVALID_CURSOR', argument: 'after' });
    }
  });

  it('is refused with a length of its own making by a list that sorts by fewer values', () => {
    const sealer = new CursorSealer(cursorKey(social, 'social'));
    expect(refusal(() => sealer.open('social_employees', sealer.seal('social_employees', ['only one']), 2)).extensions['code']).toBe('INVALID_CURSOR');
  });

  it('stays usable for its time to live and is refused as expired after it', () => {
    const time = clock();
    const sealer = new CursorSealer(cursorKey(social, 'social'), { ttlMs: 60 * 60 * 1000, now: time.now });
    const cursor = sealer.seal('social_employees', POSITION);
    time.advance(60 * 60 * 1000);
    expect(sealer.open('social_employees', cursor, 2)).toEqual(POSITION);
    time.advance(1);
    const error = refusal(() => sealer.open('social_employees', cursor, 2));
    expect(error.extensions).toEqual({ code: 'CURSOR_EXPIRED', argument: 'after' });
    expect(error.message).toBe('after is a cursor issued 60 min ago; cursors are valid for 60 min, start again from the first page');
  });
});
