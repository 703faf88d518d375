/**
 * The auditors' subgraph, run inside the gateway's process (localSubgraph.ts) and composed like
 * the others, so that auditors' own queries are authenticated, decided and recorded like any
 * other: the policy lets only the auditor role in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { GraphQLError } from 'graphql';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { commonSdl, purposeValues } from '../../platform/domain/commonSchema.js';
import { PUBLICATION_RULE, checkPublicationQuery, publicationReportId, type PublicationQuery } from '../../platform/domain/publication.js';
import type { Clock } from '../../platform/time/clock.js';
import type { CursorSealer } from '../../platform/trust/cursor.js';
import { LocalSubgraphSource } from '../localSubgraph.js';
import type { AccessPolicy } from '../policy/accessPolicy.js';
import type { AnchorReading } from './anchors.js';
import type { AuditLog, AuditPosition, AuditRecord, AuditSearch } from './auditLog.js';
import { callerProfiles, explainAccess, PolicyMatrixView } from './policyView.js';

/** The audit subgraph's SDL: its schema.graphql and the shared definitions. */
export function auditSubgraphSdl(): string {
  return `${readFileSync(path.join(projectRoot, 'gateway/audit/schema.graphql'), 'utf8')}\n${commonSdl()}`;
}

/** Options of {@link auditSubgraph}. */
export interface AuditSubgraphOptions {
  readonly policy: AccessPolicy;
  readonly auditLog: AuditLog;
  /** Seals the log's page cursors (the gateway's own key). */
  readonly cursors: CursorSealer;
  /** The chains' anchors, read from outside the log's store. */
  readonly anchors: () => AnchorReading;
  /** The gateway's clock: a publication report is made as of its today unless asked otherwise. */
  readonly clock: Clock;
}

/** The auditors' subgraph, run in the gateway's process. */
export function auditSubgraph(options: AuditSubgraphOptions): LocalSubgraphSource<object> {
  const { policy, auditLog, cursors } = options;
  const matrix = new PolicyMatrixView(policy, callerProfiles(purposeValues()));
  const resolvers: GraphQLResolverMap<object> = {
    Query: {
      classificationCatalogue: () => [...policy.catalogue.values()],
      policyMatrix: (_: unknown, args: { coordinates?: string[] | null }) => {
        const coordinates = args.coordinates ?? [...policy.catalogue.keys()];
        const unknown = matrix.unknown(coordinates);
        if (unknown.length > 0) {
          throw badInput('coordinates', `not in the classification catalogue: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`);
        }
        const rows = matrix.rows(coordinates);
        return {
          coordinates,
          policyRevision: policy.revision,
          rows: rows.map(({ profile, decisions }) => ({
            profile: profile.name,
            agency: profile.principal.agency,
            roles: profile.principal.roles,
            purpose: profile.purpose,
            effects: decisions.map((d) => d.effect),
          })),
        };
      },
      explainAccess: (_: unknown, args: { caller: { agency?: string | null; roles?: string[] | null; region?: string | null }; purpose?: string | null; coordinate: string }) => {
        const agency = args.caller.agency ?? null;
        const principal = { sub: 'explain', agency, roles: args.caller.roles ?? [], region: args.caller.region ?? null, purposes: args.purpose ? [args.purpose] : [], public: agency === null };
        return explainAccess(policy, principal, args.purpose ?? null, args.coordinate);
      },
      auditLog: async (_: unknown, args: { filter?: AuditSearch | null; first: number; after?: string | null }) => {
        if (!Number.isInteger(args.first) || args.first < 1 || args.first > 200) throw badInput('first', `first must be between 1 and 200, not ${args.first}`);
        const search = checkedSearch(args.filter ?? {});
        const after = args.after == null ? null : (cursors.open(LOG_LIST, args.after, 3) as unknown as AuditPosition);
        const page = await auditLog.search(search, args.first, after);
        return {
          records: page.records.map(flatten),
          hasNextPage: page.hasNextPage,
          endCursor: page.end ? cursors.seal(LOG_LIST, page.end) : null,
        };
      },
      publicationCompliance: (_: unknown, args: { from: string; to: string; authority?: string | null; asOf?: string | null }) => {
        const today = options.clock.today();
        const query: PublicationQuery = { from: args.from, to: args.to, authority: args.authority ?? null, asOf: args.asOf ?? today };
        checkPublicationQuery(query);
        if (query.asOf > today) throw badInput('asOf', `asOf: ${query.asOf} is after today (${today}): a report says what was published by a day that has come`);
        // Each agency adds its part to this report (PublicationCompliance.market, .tax, .customs).
        return { id: publicationReportId(query), ...query, workingDays: PUBLICATION_RULE.workingDays, basis: PUBLICATION_RULE.basis };
      },
      auditVerification: async () => {
        const v = await auditLog.verify(options.anchors());
        return v.intact
          ? { intact: true, chains: v.chains, records: v.records, anchoredChains: v.anchored, brokenChainId: null, brokenSeq: null, reason: null }
          : { intact: false, chains: v.chains, records: v.records, anchoredChains: v.anchored, brokenChainId: v.chainId, brokenSeq: v.seq, reason: v.reason };
      },
    },
  };
  return new LocalSubgraphSource<object>('audit', auditSubgraphSdl(), resolvers);
}

/** The list the log's cursors belong to. */
const LOG_LIST = 'audit_records';

/** The outcomes a record can have. */
const OUTCOMES = new Set(['ok', 'partial', 'refused', 'error']);

/**
 * The filter, checked before it reaches the database: a value the database would refuse (a time
 * it cannot read, a NUL character) is the caller's mistake, answered as such with the argument
 * named, never with the driver's message.
 */
function checkedSearch(filter: AuditSearch): AuditSearch {
  for (const [name, value] of Object.entries(filter)) {
    if (typeof value === 'string' && (value.includes('\u0000') || value.length > 200)) {
      throw badInput(`filter.${name}`, `filter.${name} must be at most 200 characters with no NUL character`);
    }
  }
  for (const name of ['from', 'to'] as const) {
    const value = filter[name];
    if (value != null && !isDateTime(value)) {
      throw badInput(`filter.${name}`, `filter.${name} must be an ISO 8601 date and time with its offset, e.g. 2026-12-01T08:00:00Z, not ${JSON.stringify(value.slice(0, 40))}`);
    }
  }
  if (filter.outcome != null && !OUTCOMES.has(filter.outcome)) {
    throw badInput('filter.outcome', `filter.outcome must be one of ${[...OUTCOMES].join(', ')}, not ${JSON.stringify(filter.outcome.slice(0, 40))}`);
  }
  return filter;
}

/** An ISO 8601 date and time with a UTC offset (2026-12-01T08:00:00Z, 2026-12-01T16:00+08:00) that names a real instant. */
export function isDateTime(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(mo) - 1 &&
    date.getUTCDate() === Number(d) &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(s ?? 0) < 60 &&
    (m[8] === undefined || (Number(m[8]) <= 14 && Number(m[9]) < 60))
  );
}

function badInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

function flatten(r: AuditRecord) {
  return {
    ...r,
    principalSub: r.principal.sub,
    principalAgency: r.principal.agency,
    principalRoles: r.principal.roles,
    principalRegion: r.principal.region,
    detail: r.detail ?? null,
    address: r.address ?? null,
  };
}
