/**
 * The rule of publication of licensing and penalty decisions (双公示), and the parameters of a
 * compliance report, shared by the audit subgraph that asks for a report and the agencies that
 * answer for their own decisions (subgraphs/runtime/publication.ts).
 */
import { GraphQLError } from 'graphql';
import { dayNumber } from '../time/calendarDate.js';

/** The rule: how many working days after its decision a decision must be published by, and where that is said. */
export const PUBLICATION_RULE = {
  workingDays: 7,
  /** The day the opinions were issued: decisions made before it had no such deadline. */
  since: '2015-06-24',
  basis: '《国务院办公厅关于运用大数据加强对市场主体服务和监管的若干意见》（国办发〔2015〕51号）第十八项：除法律法规另有规定外，应将行政许可、行政处罚等信息自作出行政决定之日起7个工作日内上网公开',
} as const;

/** The longest period one report covers: three years of decisions. */
export const MAX_PERIOD_DAYS = 3 * 366;

/** What a report is asked for. */
export interface PublicationQuery {
  readonly from: string;
  readonly to: string;
  /** One deciding authority, or all. */
  readonly authority: string | null;
  /** The day the report is made as of. */
  readonly asOf: string;
}

/** The report's parameters as the audit subgraph's `PublicationCompliance.id` carries them. */
export function publicationReportId(query: PublicationQuery): string {
  return JSON.stringify([query.from, query.to, query.authority, query.asOf]);
}

/** The parameters of a `PublicationCompliance.id`; a malformed one is a clear error. */
export function publicationQueryOf(id: unknown): PublicationQuery {
  let parsed: unknown;
  try {
    parsed = typeof id === 'string' ? JSON.parse(id) : null;
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 4) {
    const [from, to, authority, asOf] = parsed as unknown[];
    if (typeof from === 'string' && typeof to === 'string' && typeof asOf === 'string' && (authority === null || typeof authority === 'string')) {
      const query = { from, to, authority, asOf };
      checkPublicationQuery(query);
      return query;
    }
  }
  throw new GraphQLError('a publication report is asked for by its id: [from, to, authority, asOf]', { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Refuses a period that is not one (to before from), too long, or made of non-dates. */
export function checkPublicationQuery(query: PublicationQuery): void {
  const problem = periodProblem(query);
  if (problem) throw new GraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT' } });
}

function periodProblem(query: PublicationQuery): string | null {
  let from: number;
  let to: number;
  try {
    from = dayNumber(query.from);
    to = dayNumber(query.to);
    dayNumber(query.asOf);
  } catch (error) {
    return (error as Error).message;
  }
  if (to < from) return `the period ends (${query.to}) before it begins (${query.from})`;
  if (to - from > MAX_PERIOD_DAYS) return `a report covers at most three years of decisions; ${query.from} to ${query.to} is longer`;
  if (query.authority !== null && (query.authority.trim() === '' || query.authority.length > 200)) return 'authority: name one deciding authority (at most 200 characters), or omit it for all';
  return null;
}
