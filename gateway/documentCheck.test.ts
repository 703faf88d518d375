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
    expect(verdict.refusal?.extensions).toEqual({ code: 'DEPTH_LIMIT_EXCEEDED', http: { status: 400 } });
    expect(verdict.operationName).toBeNull();
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

  it('counts each kind of bracket back down when it closes', () => {
    expect(nestingOf('{ a { b } c { d } }', 100)).toBe(2);
    expect(nestingOf('{ a(b: [1], c: [2]) }', 100)).toBe(3);
    expect(nestingOf('{ a(b: 1) c(d: 2) { e } }', 100)).toBe(2);
  });

  it('counts what follows a string, a block string or a comment as the lexer reads it', () => {
    // A string ends at its closing quote, or at the end of its line (where the parser refuses it, the parenthesis still open).
    expect(nestingOf('{ a(b: "x") { c { d } } }', 100)).toBe(3);
    expect(nestingOf('{ a(b: "x\n{ c { d } } }', 100)).toBe(4);
    // A block string ends at its closing triple quote, whatever its length, and may hold quotes and lines.
    expect(nestingOf('{ a(b: """x""") { c { d } } }', 100)).toBe(3);
    expect(nestingOf('{ a(b: """ say "hi" {{{ \n {{{ """) }', 100)).toBe(2);
    // A comment ends at a line feed or a carriage return.
    expect(nestingOf('# {{{\n{ a { b } }', 100)).toBe(2);
    expect(nestingOf('# {{{\r{ a { b } }', 100)).toBe(2);
  });

  it('ends at the end of a text that stops inside a comment, a string or a block string', () => {
    expect(nestingOf('{ a { b } } # {{{', 100)).toBe(2);
    expect(nestingOf('{ a(b: "{{{', 100)).toBe(2);
    expect(nestingOf('{ a(b: """{{{', 100)).toBe(2);
  });

  it('stops counting one level past the maximum', () => {
    expect(nestingOf('{'.repeat(10), 3)).toBe(4);
  });

  it("leaves a document that does not parse to the server, which answers with the parser's error", () => {
    expect(checker().check('{ a(').refusal).toBeNull();
    expect(checker().check(`{ ${'a '.repeat(6_000)} }`).refusal).toBeNull();
  });

  it('names the only operation of a document, and no operation of one with several', () => {
    expect(checker().check('query Profile { a }').operationName).toBe('Profile');
    expect(checker().check('query A { a } query B { b }').operationName).toBeNull();
    expect(checker().check('query Profile { ...F } fragment F on Enterprise { a }').operationName).toBe('Profile');
  });

  it('refuses a document whose shape exceeds the limits, named or anonymous', () => {
    const anonymous = checker().check('{ a { __meg_key: b } }');
    expect(anonymous.refusal?.extensions['code']).toBe('RESERVED_ALIAS');
    expect(anonymous.operationName).toBeNull();
    const named = checker().check(`query Profile { a { ${'b '.repeat(31)} } }`);
    expect(named.refusal?.message).toBe('"b" is selected 31 times in one selection set; at most 30 are allowed');
    expect(named.operationName).toBe('Profile');
    expect(checker().check('query Profile { a { b } }')).toEqual({ refusal: null, operationName: 'Profile' });
  });
});

describe('the verdicts kept', () => {
  it('answers a text seen before with the verdict kept for it', () => {
    const documents = checker();
    const verdict = documents.check('query Profile { a { __meg_key: b } }');
    expect(documents.check('query Profile { a { __meg_key: b } }')).toBe(verdict);
  });

  it('keeps a text of up to 50,000 characters, and checks a longer one each time', () => {
    const documents = checker();
    const text = (length: number) => `{ a }${' '.repeat(length - 5)}`;
    expect(documents.check(text(50_000))).toBe(documents.check(text(50_000)));
    expect(documents.check(text(50_001))).not.toBe(documents.check(text(50_001)));
  });

  it('keeps at most 1,000 texts, letting the oldest go first', () => {
    const documents = checker();
    const text = (i: number) => `query Q${i} { a }`;
    const first = documents.check(text(0));
    const second = documents.check(text(1));
    for (let i = 2; i < 1_000; i++) documents.check(text(i));
    expect(documents.check(text(0))).toBe(first);
    // The 1,001st text lets the oldest, the first, go; the second stays.
    documents.check(text(1_000));
    expect(documents.check(text(1))).toBe(second);
    expect(documents.check(text(0))).not.toBe(first);
  });

  it('keeps at most 4,000,000 characters of text, letting the oldest go first', () => {
    const documents = checker();
    // 80 texts of 50,000 characters fill the room exactly.
    const text = (i: number) => `query Q${String(i).padStart(2, '0')} { a }`.padEnd(50_000, ' ');
    const first = documents.check(text(0));
    const second = documents.check(text(1));
    for (let i = 2; i < 80; i++) documents.check(text(i));
    expect(documents.check(text(0))).toBe(first);
    documents.check(text(80));
    expect(documents.check(text(1))).toBe(second);
    expect(documents.check(text(0))).not.toBe(first);
  });
});
