/** The context of one GraphQL request at the gateway, as every step of its pipeline reads it. */
import type { PolicyContext } from './policy/enforcingGateway.js';
import type { ForwardingContext } from './subgraphFetcher.js';

/** The context of one GraphQL request at the gateway. */
export interface GatewayContext extends ForwardingContext, PolicyContext, Record<string, unknown> {
  /** The gateway's own operations (a review's fact queries): fixed, so not held to the callers' limits. */
  readonly internal?: boolean;
}
