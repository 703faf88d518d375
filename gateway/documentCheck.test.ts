import { describe, expect, it } from 'vitest';
import { DocumentChecker, MAX_NESTING, nestingOf } from './documentCheck.js';
import { DEFAULT_LIMITS } from './limits.js';

const checker = () => new DocumentChecker(DEFAULT_LIMITS);

describe('the document check', () => {
  it('refuses inline fragments nested deeper than the parser can follow, with the depth code, before parsing', () => {
    // 2,500 levels within the token limit: graphql-js's parser runs out of stack on them.
    const query = `{ ${'... { '.repeat(2_400)}__typename${' }'.repeat(2_400)} }`;
    const verdict = checker().check(query);
    expect(verdict.refusal?.extensions['code']).toBe('DEPTH_LIMIT_EXCEEDED');
    expect(verdict.refusal?.message).toBe(`the document nests selections and values more than ${MAX_NESTING} deep; at most ${MAX_NESTING} is allowed`);
  });

  it('lets a document through at the nesting limit, and refuses one level more', () => {
    const nested = (levels: number) => `${'{ a '.repeat(levels)}${' }'.repeat(levels)}`;
    expect(nestingOf(nested(MAX_NESTING), MAX_NESTING)).toBe(MAX_NESTING);
    expect(checker().check(nested(MAX_NESTING)).refusal?.extensions['code']).not.toBe('DEPTH_LIMIT_EXCEEDED');
    expect(checker().check(nested(MAX_NESTING + 1)).refusal?.extensions['code']).toBe('DEPTH_LIMIT_EXCEEDED');
  });

  it('counts brackets of lists and parentheses of arguments, but nothing inside strings or comments', () => {
    expect(nestingOf('{ a(b: [[{ c: 1 }]]) }', 100)).toBe(5);
    expect(nestingOf('{ a(b: "{{{{[[[(((") } # {{{{{{{{\n', 100)).toBe(2);
    expect(nestingOf('{ a(b: """ {{{ \\""" {{{ """) }', 100)).toBe(2);
    expect(nestingOf('{ a(b: "\\" {{{") }', 100)).toBe(2);
  });

  it('leaves a document that does not parse to the server, which answers with the parser\'s error', () => {
    expect(checker().check('{ a(').refusal).toBeNull();
    expect(checker().check(`{ ${'a '.repeat(6_000)} }`).refusal).toBeNull();
  });

  it('names the only operation of a document, and no operation of one with several', () => {
    expect(checker().check('query Profile { a }').operationName).toBe('Profile');
    expect(checker().check('query A { a } query B { b }').operationName).toBeNull();
  });
});
