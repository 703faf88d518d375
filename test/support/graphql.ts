/** Talking to the gateway and subgraphs from tests, over real HTTP. */
import type { Untyped } from './untyped.js';

/** A GraphQL response as the caller sees it. */
export interface GraphQLResponse<D = Record<string, unknown>> {
  readonly status: number;
  readonly body: { data?: D | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
  readonly headers: Headers;
}

/** POSTs a GraphQL operation. */
export async function graphql<D = Record<string, Untyped>>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLResponse<D>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: GraphQLResponse<D>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (HTTP ${res.status}): ${text.slice(0, 500)}`);
  }
  return { status: res.status, body, headers: res.headers };
}

/** The series of a process's /metrics on its admin port (`adminUrl`, e.g. a federation's `adminUrls.tax`), by `name{labels}`. */
export async function subgraphMetrics(adminUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(new URL('/metrics', adminUrl))).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    series.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return series;
}

/** GraphQL requests a subgraph has accepted so far. */
export function requestCount(metrics: Map<string, number>, agency: string): number {
  return metrics.get(`meg_subgraph_graphql_requests_total{agency="${agency}"}`) ?? 0;
}

/** SQL statements a subgraph has issued against `table` so far. */
export function statementCount(metrics: Map<string, number>, agency: string, table: string): number {
  return metrics.get(`meg_sql_statements_total{store="${agency}",table="${table}"}`) ?? 0;
}

/** Statements a subgraph has sent to its database so far (several gathered into one count once), whatever their keyword. */
export function roundTripCount(metrics: Map<string, number>, agency: string): number {
  const prefix = `meg_sql_round_trip_duration_seconds_count{store="${agency}",`;
  let trips = 0;
  for (const [series, value] of metrics) if (series.startsWith(prefix)) trips += value;
  return trips;
}
