/**
 * The credit events' history as GraphQL: a subgraph run inside the gateway's process
 * (localSubgraph.ts) and composed into the supergraph like the agencies', so `creditEvents` is
 * classified, decided and audited like every other field; each event in it is shown as the
 * caller's policy shows its entry (eventView.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { commonSdl } from '../../platform/domain/commonSchema.js';
import type { AuditScope } from '../audit/auditScope.js';
import type { Resolvers } from '../generated/graphql/events/resolvers.js';
import { LocalSubgraphSource } from '../localSubgraph.js';
import type { Principal } from '../policy/accessPolicy.js';
import type { CreditEvents } from './creditEvents.js';

/** The events subgraph's SDL: its schema.graphql and the shared definitions. */
export function eventsSubgraphSdl(): string {
  return `${readFileSync(path.join(projectRoot, 'gateway/events/schema.graphql'), 'utf8')}\n${commonSdl()}`;
}

/** What the resolvers read of the request's scope (the gateway's RequestScope). */
export interface EventsContext {
  readonly principal: Principal;
  readonly purpose: string | null;
  readonly audit: AuditScope;
}

/** The events subgraph, run in the gateway's process with the request's scope as its context. */
export function eventsSubgraph(events: CreditEvents): LocalSubgraphSource<EventsContext> {
  const resolvers: Resolvers<EventsContext> = {
    Query: {
      async creditEvents(_, { uscc, first, after }, scope) {
        const page = await events.history(scope, uscc, first ?? 20, after ?? null);
        return {
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
          edges: page.events.map(({ event, sequence, view }) => ({
            cursor: String(sequence),
            node: {
              id: event.id,
              sequence: String(sequence),
              agency: event.agency,
              kind: event.kind,
              occurredAt: event.occurredAt,
              entryType: view.entryType,
              entryId: view.entryId,
              version: view.version,
              entry: Object.entries(view.entry).map(([name, value]) => ({ name, value })),
              decisionDocumentNo: view.decision.documentNo,
              legalBasis: view.decision.legalBasis,
              withheld: [...view.withheld],
              masked: [...view.masked],
            },
          })),
        };
      },
    },
  };
  return new LocalSubgraphSource<EventsContext>('events', eventsSubgraphSdl(), resolvers);
}
