/**
 * A credit event as one subscriber may see it: filtered and masked by the subscriber's own access
 * policy, exactly as a query of the entry would be.
 *
 * The event's entry is typed by the graph: the mutation that wrote it returns a payload whose
 * entry field names the entry's type (`recordPenalty` → `PenaltyWrite.penalty` →
 * `AdministrativePenalty`). A query reaches that type through the agency's profile
 * (`Enterprise.market` → `MarketProfile.penalties`): if the policy denies the subscriber any step
 * of that path, the event is not delivered at all; otherwise each of the entry's columns is
 * shown, masked or withheld as its field's decision says. Columns that are no field of the type
 * are never shown.
 */
import { getNamedType, isEnumType, isObjectType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { AGENCY_REGISTRY, isAgency } from '../../platform/domain/agencies.js';
import { PUBLICITY_KIND_OF_TYPE, type PublicityRules } from '../../platform/domain/publicity.js';
import type { RecordView } from '../../platform/domain/recordView.js';
import type { CreditEvent } from '../../platform/events/creditStream.js';
import type { Clock } from '../../platform/time/clock.js';
import type { AccessPolicy, FieldDecision, Principal } from '../policy/accessPolicy.js';
import type { Masker } from '../policy/masking.js';

/** The decision written into an event's data by the write path. */
interface EventDecision {
  readonly authority?: string;
  readonly documentNo?: string;
  readonly legalBasis?: string;
  readonly decidedOn?: string;
}

/** An event a subscriber may see. */
export interface VisibleEvent {
  readonly visible: true;
  readonly entryType: string;
  readonly entryId: string;
  readonly version: number;
  /** The entry's fields by GraphQL name, as text; masked values in their masked form. */
  readonly entry: Readonly<Record<string, string>>;
  readonly decision: Required<EventDecision>;
  readonly withheld: readonly string[];
  readonly masked: readonly string[];
  /** Every decision the view rests on, for the access log. */
  readonly decisions: ReadonlyMap<string, FieldDecision>;
}

/** An event a subscriber may not see, with the decisions that say so. */
export interface HiddenEvent {
  readonly visible: false;
  readonly decisions: ReadonlyMap<string, FieldDecision>;
}

/** Where an event's entry sits in the graph. */
interface Shape {
  readonly type: GraphQLObjectType;
  /** The coordinates from `Enterprise` down to the entry's type. */
  readonly path: readonly string[];
}

/** Views of credit events for one subscriber (its decisions are made once per kind of entry). */
export class EventViews {
  private readonly shapes = new Map<string, Shape | null>();
  private readonly decided = new Map<string, ReadonlyMap<string, FieldDecision>>();
  private recordViews: ReadonlyMap<string, RecordView> | null = null;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly policy: AccessPolicy,
    private readonly mask: Masker,
    private readonly principal: Principal,
    private readonly purpose: string | null,
    private readonly clock: Clock,
    private readonly publicity: PublicityRules,
  ) {}

  /** `event` as this subscriber may see it. */
  view(event: CreditEvent): VisibleEvent | HiddenEvent {
    // The entry's type: the one its write returns, or the one the event names (a scheduler's event has no write).
    const mutation = typeof event.data['mutation'] === 'string' ? event.data['mutation'] : '';
    const entryType = typeof event.data['entryType'] === 'string' ? event.data['entryType'] : '';
    const shape = this.shapeOf(event.agency, mutation, entryType);
    if (!shape) return { visible: false, decisions: new Map() };
    const decisions = this.decisionsFor(`${mutation}/${entryType}`, shape);
    if (shape.path.some((c) => decisions.get(c)?.effect !== 'ALLOW')) return { visible: false, decisions };
    const fields = shape.type.getFields();
    const row = (event.data['entry'] ?? {}) as Record<string, unknown>;
    // The entries a subscriber sees are those its reads show it (the record views): the public learns
    // of a decision once published; no one but a caller entitled to history learns of an entry whose
    // publicity has run out. A removal is news, though it ends the entry's publicity.
    const view = this.views().get(event.agency) ?? 'PUBLIC';
    if (view !== 'HISTORY' && !this.shown(view, shape.type, row)) return { visible: false, decisions };
    const entry: Record<string, string> = {};
    const withheld: string[] = [];
    const masked: string[] = [];
    for (const [column, raw] of Object.entries(row)) {
      const name = camel(column);
      const field = fields[name];
      if (!field || raw === null || raw === undefined) continue;
      const coordinate = `${shape.type.name}.${name}`;
      const d = decisions.get(coordinate);
      if (!d || d.effect === 'DENY') {
        withheld.push(coordinate);
        continue;
      }
      const value = typed(getNamedType(field.type), raw);
      const shown = d.effect === 'MASK' ? this.mask(d.mask!, value) : value;
      if (d.effect === 'MASK') masked.push(coordinate);
      if (shown !== null && shown !== undefined) entry[name] = typeof shown === 'string' ? shown : JSON.stringify(shown);
    }
    const idShown = decisions.get(`${shape.type.name}.entryId`)?.effect === 'ALLOW';
    const decision = (event.data['decision'] ?? {}) as EventDecision;
    return {
      visible: true,
      entryType: shape.type.name,
      entryId: idShown && typeof event.data['entryId'] === 'string' ? event.data['entryId'] : '',
      version: idShown && typeof event.data['version'] === 'number' ? event.data['version'] : 0,
      entry,
      decision: { authority: decision.authority ?? '', documentNo: decision.documentNo ?? '', legalBasis: decision.legalBasis ?? '', decidedOn: decision.decidedOn ?? '' },
      withheld: withheld.sort(),
      masked: masked.sort(),
      decisions,
    };
  }

  /** The decisions on an entry type's path and fields, made once per mutation. */
  private decisionsFor(mutation: string, shape: Shape): ReadonlyMap<string, FieldDecision> {
    let decisions = this.decided.get(mutation);
    if (!decisions) {
      const coordinates = [...shape.path, ...Object.keys(shape.type.getFields()).map((f) => `${shape.type.name}.${f}`)];
      decisions = this.policy.decide(this.principal, this.purpose, coordinates);
      this.decided.set(mutation, decisions);
    }
    return decisions;
  }

  /** Where the entries `mutation` of `agency` writes (or of type `entryType`) sit in the graph; null when the schema does not say. */
  private shapeOf(agency: string, mutation: string, entryType: string): Shape | null {
    const key = `${agency}.${mutation}/${entryType}`;
    if (this.shapes.has(key)) return this.shapes.get(key)!;
    const shape = findShape(this.schema, agency, mutation, entryType);
    this.shapes.set(key, shape);
    return shape;
  }

  /** Whether a PUBLIC or CURRENT view shows the entry of `row` today. */
  private shown(view: RecordView, type: GraphQLObjectType, row: Readonly<Record<string, unknown>>): boolean {
    const today = this.clock.today();
    const kind = PUBLICITY_KIND_OF_TYPE[type.name];
    if (!kind) return view !== 'PUBLIC' || !type.getFields()['publishedOn'] || publishedBy(row['published_on'], today);
    const { status } = this.publicity.publicityOf(kind, row, today);
    if (status === 'NOT_PUBLISHED') return view !== 'PUBLIC';
    if (status === 'ENDED') return typeof row['removed_on'] === 'string';
    return true;
  }

  /** Which entries of each agency's record the subscriber sees (the policy's record views). */
  private views(): ReadonlyMap<string, RecordView> {
    this.recordViews ??= new Map<string, RecordView>(Object.entries(this.policy.recordViews(this.principal, this.purpose)));
    return this.recordViews;
  }
}

/** Whether a decision's publication day is on or before `today`. */
function publishedBy(publishedOn: unknown, today: string): boolean {
  return typeof publishedOn === 'string' && publishedOn <= today;
}

function findShape(schema: GraphQLSchema, agency: string, mutation: string, entryType: string): Shape | null {
  if (!isAgency(agency)) return null;
  const type = mutation ? writtenType(schema, mutation) : schema.getType(entryType);
  if (!type || !isObjectType(type)) return null;
  const enterprise = schema.getType('Enterprise');
  const profileKey = AGENCY_REGISTRY[agency].profileKey;
  const profileField = isObjectType(enterprise) ? enterprise.getFields()[profileKey] : undefined;
  const profile = profileField ? getNamedType(profileField.type) : null;
  if (!profile || !isObjectType(profile)) return null;
  const path = [`Enterprise.${profileKey}`];
  if (profile !== type) {
    const list = Object.values(profile.getFields()).find((f) => getNamedType(f.type) === type);
    if (!list) return null;
    path.push(`${profile.name}.${list.name}`);
  }
  return { type, path };
}

/** The entry type a mutation's payload returns beside its receipt. */
function writtenType(schema: GraphQLSchema, mutation: string): GraphQLNamedType | null {
  const write = schema.getMutationType()?.getFields()[mutation];
  const payload = write ? getNamedType(write.type) : null;
  if (!payload || !isObjectType(payload)) return null;
  const entryField = Object.values(payload.getFields()).find((f) => f.name !== 'receipt');
  return entryField ? getNamedType(entryField.type) : null;
}

/** snake_case → camelCase: `penalty_amount` → `penaltyAmount`. */
function camel(column: string): string {
  return column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A column's value as its field types it: numbers for Int, Float and Amount, text otherwise. */
function typed(type: GraphQLNamedType, raw: unknown): unknown {
  if (isEnumType(type)) return String(raw);
  if ((type.name === 'Float' || type.name === 'Int' || type.name === 'Amount') && typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  return raw;
}
