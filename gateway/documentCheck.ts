/**
 * The document step of the gateway's pipeline, between admission and GraphQL validation: the
 * operation text's nesting is bounded, it is parsed (the parser stops at the token limit) and its
 * shape checked ({@link checkDocumentShape}) before graphql-js validates it, since validation
 * compares fields pairwise and would otherwise give a small request a large bill. The result is
 * kept per text, so a text the gateway has seen costs a lookup.
 */
import { GraphQLError, Kind, parse } from 'graphql';
import { checkDocumentShape, LIMIT_CODES, type OperationLimits } from './limits.js';

/**
 * How deep braces, brackets and parentheses may nest in a document. graphql-js parses
 * recursively, some ten frames a level: 2,500 inline fragments nested in one another, within the
 * token limit, exhaust the stack. Fields nest at most {@link OperationLimits.maxDepth} deep; the
 * rest of the room is for fragments and input values.
 */
export const MAX_NESTING = 100;

/** What the step found for one operation text. */
export interface DocumentVerdict {
  /** Why the document is refused before validation, or null. */
  readonly refusal: GraphQLError | null;
  /** The name of the document's only operation, or null (anonymous, several, or not parsed). */
  readonly operationName: string | null;
}

/** Texts kept with their verdict, and their characters in all: what a caller can make the gateway hold. */
const CACHED_TEXTS = 1_000;
const CACHED_CHARS = 4_000_000;
/** Longer texts are checked each time rather than kept. */
const CACHED_TEXT_CHARS = 50_000;

/** Checks operation texts before validation. */
export class DocumentChecker {
  private readonly verdicts = new Map<string, DocumentVerdict>();
  private cachedChars = 0;

  constructor(private readonly limits: OperationLimits) {}

  /**
   * The verdict on `query`. A text that does not parse is not refused here: the GraphQL server
   * answers it with the parser's own error (and the token limit's code).
   */
  check(query: string): DocumentVerdict {
    const cached = this.verdicts.get(query);
    if (cached) return cached;
    let verdict: DocumentVerdict;
    const nesting = nestingOf(query, MAX_NESTING);
    if (nesting > MAX_NESTING) {
      const refusal = new GraphQLError(`the document nests selections and values more than ${MAX_NESTING} deep; at most ${MAX_NESTING} is allowed`, {
        extensions: { code: LIMIT_CODES.depth, http: { status: 400 } },
      });
      return this.keep(query, { refusal, operationName: null });
    }
    try {
      // Stryker disable next-line BooleanLiteral: equivalent, the document is dropped after the check and its refusals carry no locations: noLocation only saves memory
      const document = parse(query, { maxTokens: this.limits.maxTokens, noLocation: true });
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      const operationName = operations.length === 1 && operations[0]!.kind === Kind.OPERATION_DEFINITION ? (operations[0]!.name?.value ?? null) : null;
      try {
        checkDocumentShape(document, this.limits);
        verdict = { refusal: null, operationName };
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        verdict = { refusal: error, operationName };
      }
    } catch {
      // Not parsed (a syntax error, the token limit): the GraphQL server answers with the parser's error.
      verdict = { refusal: null, operationName: null };
    }
    return this.keep(query, verdict);
  }

  private keep(query: string, verdict: DocumentVerdict): DocumentVerdict {
    if (query.length > CACHED_TEXT_CHARS) return verdict;
    // Oldest first out, until both bounds hold.
    while (this.verdicts.size >= CACHED_TEXTS || (this.verdicts.size > 0 && this.cachedChars + query.length > CACHED_CHARS)) {
      const oldest = this.verdicts.keys().next().value!;
      this.verdicts.delete(oldest);
      this.cachedChars -= oldest.length;
    }
    this.verdicts.set(query, verdict);
    this.cachedChars += query.length;
    return verdict;
  }
}

/**
 * The deepest nesting of `{`, `[` and `(` in a GraphQL text, strings and comments skipped; stops
 * counting once past `max`. One pass over the text, whatever it holds.
 */
export function nestingOf(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23) {
      // # comment, to the end of the line
      while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22) {
      if (text.startsWith('"""', i)) {
        // block string: to the next unescaped triple quote
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i++;
        while (i < text.length && text.charCodeAt(i) !== 0x22 && text.charCodeAt(i) !== 0x0a) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      }
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      depth--;
    }
  }
  return deepest;
}
