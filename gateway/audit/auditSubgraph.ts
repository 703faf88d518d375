/**
 * The auditors' subgraph, served inside the gateway process (port 4006 by default) and composed
 * like the others, so that auditors' own queries are authenticated, decided and recorded like any
 * other: the policy lets only the auditor role in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { GraphQLError } from 'graphql';
import { commonSdl, projectRoot, purposeValues } from '../../subgraphs/shared/agencies.js';
import type { SignatureVerifier } from '../../subgraphs/shared/gatewaySignature.js';
import { startInProcessSubgraph } from '../inProcessSubgraph.js';
import type { AccessPolicy } from '../policy/accessPolicy.js';
import type { AuditLog, AuditRecord, AuditSearch } from './auditLog.js';
import { callerProfiles, explainAccess, policyMatrix } from './policyView.js';

/** The audit subgraph's SDL: its schema.graphql and the shared definitions. */
export function auditSubgraphSdl(): string {
  return `${readFileSync(path.join(projectRoot, 'gateway/audit/schema.graphql'), 'utf8')}\n${commonSdl()}`;
}

/** Options of {@link startAuditSubgraph}. */
export interface AuditSubgraphOptions {
  readonly host: string;
  readonly port: number;
  /** A cluster worker's own port (see listen). */
  readonly exclusive?: boolean;
  readonly verifier: SignatureVerifier;
  readonly policy: AccessPolicy;
  readonly auditLog: AuditLog;
}

/** Starts the auditors' subgraph. */
export async function startAuditSubgraph(options: AuditSubgraphOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const { policy, auditLog } = options;
  const purposes = purposeValues();
  const resolvers: GraphQLResolverMap<object> = {
    Query: {
      classificationCatalogue: () => [...policy.catalogue.values()],
      policyMatrix: (_: unknown, args: { coordinates?: string[] | null }) => {
        const coordinates = args.coordinates ?? [...policy.catalogue.keys()];
        const rows = policyMatrix(policy, callerProfiles(purposes), coordinates);
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
        if (!Number.isInteger(args.first) || args.first < 1 || args.first > 200) {
          throw new GraphQLError(`first must be between 1 and 200, not ${args.first}`, { extensions: { code: 'BAD_USER_INPUT' } });
        }
        let page;
        try {
          page = await auditLog.search(args.filter ?? {}, args.first, args.after);
        } catch (error) {
          if (error instanceof SyntaxError) throw new GraphQLError('after is not a cursor of this log', { extensions: { code: 'BAD_USER_INPUT' } });
          throw error;
        }
        return { ...page, records: page.records.map(flatten) };
      },
      auditVerification: async () => {
        const v = await auditLog.verify();
        return v.intact
          ? { intact: true, chains: v.chains, records: v.records, brokenChainId: null, brokenSeq: null, reason: null }
          : { intact: false, chains: v.chains, records: v.records, brokenChainId: v.chainId, brokenSeq: v.seq, reason: v.reason };
      },
    },
  };
  return startInProcessSubgraph<object>({
    name: 'audit',
    sdl: auditSubgraphSdl(),
    resolvers,
    host: options.host,
    port: options.port,
    exclusive: options.exclusive ?? false,
    verifier: options.verifier,
    contextFor: () => ({}),
  });
}

function flatten(r: AuditRecord) {
  return {
    ...r,
    principalSub: r.principal.sub,
    principalAgency: r.principal.agency,
    principalRoles: r.principal.roles,
    principalRegion: r.principal.region,
    detail: r.detail ?? null,
  };
}
