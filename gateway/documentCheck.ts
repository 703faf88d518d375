/**
 * The document step of the gateway's pipeline, between admission and GraphQL validation: the
 * operation text is parsed (the parser stops at the token limit) and its shape checked
 * ({@link checkDocumentShape}) before graphql-js validates it, since validation compares fields
 * pairwise and would otherwise give a small request a large bill. The result is kept per text,
 * so a text the gateway has seen costs a lookup.
 */
import { GraphQLError, Kind, parse } from 'graphql';
import { checkDocumentShape, type OperationLimits } from './limits.js';

/** What the step found for one operation text. */
export interface DocumentVerdict {
  /** Why the document is refused before validation, or null. */
  readonly refusal: GraphQLError | null;
  /** The name of the document's only operation, or null (anonymous, several, or not parsed). */
  readonly operationName: string | null;
}

/** Texts kept with their verdict. */
const CACHED_TEXTS = 1_000;
/** Longer texts are checked each time rather than kept. */
const CACHED_TEXT_CHARS = 100_000;

/** Checks operation texts before validation. */
export class DocumentChecker {
  private readonly verdicts = new Map<string, DocumentVerdict>();

  constructor(private readonly limits: OperationLimits) {}

  /**
   * The verdict on `query`. A text that does not parse is not refused here: the GraphQL server
   * answers it with the parser's own error (and the token limit's code).
   */
  check(query: string): DocumentVerdict {
    const cached = this.verdicts.get(query);
    if (cached) return cached;
    let verdict: DocumentVerdict;
    try {
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
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      verdict = { refusal: null, operationName: null };
    }
    if (query.length <= CACHED_TEXT_CHARS) {
      if (this.verdicts.size >= CACHED_TEXTS) this.verdicts.delete(this.verdicts.keys().next().value!);
      this.verdicts.set(query, verdict);
    }
    return verdict;
  }
}
