/**
 * Apollo Gateway with the access policy in its execution path: for each operation the gateway
 * decides (once per caller attributes, purpose and operation, then from cache), prunes what is
 * denied before the query is planned, executes, and applies denials and masks to the result.
 */
import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface, GatewayLoadResult, GatewayUnsubscriber } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, OperationTypeNode, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema } from 'graphql';
import type { AuditScope } from '../audit/auditScope.js';
import type { AccessPolicy, FieldDecision, Principal } from './accessPolicy.js';
import { applyDecisions, pruneDocument, selectedCoordinates } from './enforcement.js';
import { decideWrites, recordedWrites, refusedWrites } from './writeGate.js';
import type { Masker } from './masking.js';
import { logger } from '../../platform/observability/logger.js';
import { withSpan } from '../../platform/observability/tracing.js';

/** What the gateway's request context must carry for enforcement. */
export interface PolicyContext {
  readonly principal: Principal;
  readonly purpose: string | null;
  /** Where the request's decisions are noted for its audit record. */
  readonly audit?: AuditScope;
  /** Told the decisions on this operation's fields (the joint review reads what its caller may see). */
  readonly onDecisions?: (decisions: ReadonlyMap<string, FieldDecision>) => void;
}

/** How one operation is enforced for one kind of caller. */
export interface EnforcementPlan {
  readonly decisions: ReadonlyMap<string, FieldDecision>;
  readonly document: DocumentNode;
  readonly queryHash: string;
}

/** Largest number of plans kept (each is a few kilobytes). */
const PLAN_CACHE_SIZE = 10_000;

/** Apollo Gateway wrapped by the access policy. */
export class PolicyEnforcingGateway implements GatewayInterface {
  private readonly plans = new Map<string, EnforcementPlan>();
  /** Plans served from the cache, and decided anew (read by the metrics when scraped). */
  readonly cache = { hits: 0, misses: 0 };

  constructor(
    private readonly inner: ApolloGateway,
    private readonly policy: AccessPolicy,
    private readonly mask: Masker,
  ) {}

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.inner.load(options);
    // Without the policy in its path the gateway would execute nothing at all.
    if (!executor) throw new Error('the gateway loaded no executor');
    return { executor: this.enforcing(executor) };
  }

  onSchemaLoadOrUpdate(callback: Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0]): GatewayUnsubscriber {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  /** The plan for this caller and operation: decided once, then served from the cache. */
  planFor(schema: GraphQLSchema, document: DocumentNode, queryHash: string, operationName: string | null | undefined, context: PolicyContext): EnforcementPlan {
    const { principal, purpose } = context;
    const key = createHash('sha256')
      .update(JSON.stringify([principal.public, principal.agency, [...principal.roles].sort(), principal.region, purpose, queryHash, operationName ?? null]))
      .digest('base64url');
    const cached = this.plans.get(key);
    if (cached) {
      // Least recently used goes first: re-insert on use.
      this.plans.delete(key);
      this.plans.set(key, cached);
      this.cache.hits++;
      return cached;
    }
    this.cache.misses++;
    const decisions = this.policy.decide(principal, purpose, selectedCoordinates(schema, document));
    const pruned = pruneDocument(schema, document, decisions);
    const plan = { decisions, document: pruned.document, queryHash: pruned.queryHash };
    this.plans.set(key, plan);
    if (this.plans.size > PLAN_CACHE_SIZE) this.plans.delete(this.plans.keys().next().value!);
    return plan;
  }

  private enforcing(execute: GatewayExecutor): GatewayExecutor {
    return async (requestContext: GatewayGraphQLRequestContext) => {
      const context = requestContext.context;
      // Fail closed: an operation whose caller is not known is not executed.
      if (!isPolicyContext(context)) throw new Error('internal: an operation reached the policy without its caller');
      // Writes are decided first, per enterprise: a mutation with any write refused runs none.
      // (Apollo passes on an operation it could not find by name, undefined, for the gateway to refuse.)
      const operation = requestContext.operation as GatewayGraphQLRequestContext['operation'] | undefined;
      if (operation?.operation === OperationTypeNode.MUTATION) {
        const writes = decideWrites(this.policy, requestContext.schema, operation, fragmentsOf(requestContext.document), requestContext.request.variables ?? {}, context.principal, context.purpose);
        context.audit?.noteWrites(recordedWrites(writes));
        const refused = refusedWrites(writes);
        if (refused.length > 0 || writes.length === 0) {
          context.audit?.addDecisions(new Map(writes.map((w) => [w.coordinate, w.decision])));
          return { data: null, errors: refused.length > 0 ? refused : [new GraphQLError('the mutation names no write', { extensions: { code: 'BAD_USER_INPUT' } })] };
        }
      }
      const plan = await withSpan('policy', {}, () => this.planFor(requestContext.schema, requestContext.document, requestContext.queryHash, requestContext.operationName, context));
      context.audit?.addDecisions(plan.decisions);
      context.onDecisions?.(plan.decisions);
      // The gateway plans and executes the pruned operation; everything else about the request stays.
      const pruned = Object.create(requestContext, {
        document: { value: plan.document },
        queryHash: { value: plan.queryHash },
      }) as GatewayGraphQLRequestContext;
      let result: Awaited<ReturnType<GatewayExecutor>>;
      try {
        result = await execute(pruned);
      } catch (error) {
        // The planner refuses what it cannot plan (newer introspection fields, for one): that is
        // about the operation, not a fault of the gateway. The cause goes to the log only.
        logger().warn({ event: 'operation not planned', error: String(error) });
        return { errors: [new GraphQLError('the gateway cannot plan this operation', { extensions: { code: 'OPERATION_NOT_SUPPORTED', http: { status: 400 } } })] };
      }
      const data = (result.data ?? null) as Record<string, unknown> | null;
      let applied: ReturnType<typeof applyDecisions>;
      try {
        applied = applyDecisions(data, {
          schema: requestContext.schema,
          document: requestContext.document,
          operationName: requestContext.operationName,
          variables: requestContext.request.variables ?? {},
          decisions: plan.decisions,
          catalogue: this.policy.catalogue,
          mask: this.mask,
        });
      } catch (error) {
        // Fail closed: an answer the policy could not be applied to is not released.
        logger().error({ event: 'policy not applied', error: String(error) });
        return { errors: [new GraphQLError('the access policy could not be applied to the answer, so it is withheld', { extensions: { code: 'POLICY_ENFORCEMENT_FAILED' } })] };
      }
      const { errors: forbidden, entities } = applied;
      context.audit?.touch(entities);
      return forbidden.length > 0 ? { ...result, errors: [...(result.errors ?? []), ...forbidden] } : result;
    };
  }
}

/** The fragments a document defines, by name. */
function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

/** Whether Apollo's context value carries the caller the policy decides for. */
function isPolicyContext(context: object): context is PolicyContext {
  const { principal, purpose } = context as Partial<PolicyContext>;
  return typeof principal === 'object' && principal !== null && typeof principal.sub === 'string' && (purpose === null || typeof purpose === 'string');
}
