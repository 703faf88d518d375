/**
 * Lists of enterprise codes a caller may ask about at once: an approval shortlist, a batch of
 * references. The bound is one for the gateway's review service and every subgraph.
 */
import { GraphQLError } from 'graphql';

/** Most codes one list argument may carry (an approval shortlist of 1,000 fits five times over). */
export const MAX_CODES_PER_REQUEST = 5_000;

/** Refuses a list of more than {@link MAX_CODES_PER_REQUEST} codes. */
export function checkCodeCount(codes: readonly string[]): void {
  if (codes.length > MAX_CODES_PER_REQUEST) {
    throw new GraphQLError(`at most ${MAX_CODES_PER_REQUEST} codes may be asked for at once, not ${codes.length}`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'uscc' },
    });
  }
}
