/**
 * Page cursors carry nothing a caller could not see in clear. The employees list is sorted by
 * name and resident ID number, which a tax officer may see only masked and hashed: the cursors
 * it is handed must not give either back, in any encoding, and must still page correctly.
 */
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
const employers = universe(federation.seed, federation.size)
  .filter((e) => e.headcount > 0)
  .slice(0, 60);
const trader = universe(federation.seed, federation.size).find((e) => e.trades)!;

const EMPLOYEES = /* GraphQL */ `
  query Employees($codes: [USCC!]!, $first: Int!, $after: String) {
    enterprises(uscc: $codes) {
      uscc
      social {
        employees(first: $first, after: $after) {
          edges {
            cursor
            node {
              name
              idNumber
            }
          }
          pageInfo {
            endCursor
            hasNextPage
          }
        }
      }
    }
  }
`;

/** Every employee name and ID number the social security database holds for `codes`, in the list's order. */
async function rawEmployees(codes: readonly string[]): Promise<{ uscc: string; name: string; id_number: string }[]> {
  const client = new pg.Client({ connectionString: federation.env['DATABASE_URL_SOCIAL'] });
  await client.connect();
  try {
    return (await client.query('SELECT uscc, name, id_number FROM social_employees WHERE uscc = ANY($1) ORDER BY uscc, name, id_number', [codes])).rows;
  } finally {
    await client.end();
  }
}

/** Every string in a JSON value, with what it decodes to when read as base64 (url-safe or not). */
function readings(value: unknown): string[] {
  if (typeof value === 'string') {
    const decoded = [Buffer.from(value, 'base64url'), Buffer.from(value.replace(/^c1\./, ''), 'base64url')].map((b) => b.toString('utf8'));
    return [value, ...decoded];
  }
  if (Array.isArray(value)) return value.flatMap(readings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(readings);
  return [];
}

describe('page cursors', () => {
  it('give a caller who sees employees masked neither their names nor their ID numbers, in any form', async () => {
    const raw = await rawEmployees(employers.map((e) => e.uscc));
    expect(raw.length).toBeGreaterThan(100);
    const { status, body } = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: employers.map((e) => e.uscc), first: 5 }, await headersFor(federation, CALLERS.taxOfficer));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const edges = (body.data!['enterprises'] as Untyped[]).flatMap((e) => e.social?.employees.edges ?? []);
    expect(edges.length).toBeGreaterThan(100);
    // The names come masked and the ID numbers hashed, as the policy says; the cursors are opaque.
    for (const edge of edges) {
      expect(edge.node.name).toMatch(/^.\*+$/u);
      expect(edge.node.idNumber).toMatch(/^h:[\w-]{22}$/);
      expect(edge.cursor).toMatch(/^c1\.[\w-]+$/);
    }
    const texts = readings(body);
    const leaked = raw.filter((r) => texts.some((t) => t.includes(r.id_number) || t.includes(JSON.stringify(r.name)) || t === r.name));
    expect(leaked).toEqual([]);
  });

  it('still page: the second page follows the first, as the owning agency sees the list', async () => {
    const subject = employers.find((e) => e.headcount >= 8)!;
    const raw = (await rawEmployees([subject.uscc])).map((r) => r.id_number);
    expect(raw.length).toBeGreaterThanOrEqual(8);
    const owner = await headersFor(federation, CALLERS.socialOfficerAdministering);
    const first = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: [subject.uscc], first: 4 }, owner);
    const page1 = first.body.data!['enterprises'][0].social.employees;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: [subject.uscc], first: 4, after: page1.pageInfo.endCursor }, owner);
    expect(second.body.errors).toBeUndefined();
    const page2 = second.body.data!['enterprises'][0].social.employees;
    expect([...page1.edges, ...page2.edges].map((e: Untyped) => e.node.idNumber)).toEqual(raw.slice(0, 8));
    // A cursor handed to the tax officer works for the tax officer too: it is a position, not a key.
    const taxFirst = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: [subject.uscc], first: 4 }, await headersFor(federation, CALLERS.taxOfficer));
    const taxEnd = taxFirst.body.data!['enterprises'][0].social.employees.pageInfo.endCursor;
    const taxSecond = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: [subject.uscc], first: 4, after: taxEnd }, owner);
    expect(taxSecond.body.data!['enterprises'][0].social.employees.edges.map((e: Untyped) => e.node.idNumber)).toEqual(raw.slice(4, 8));
  });

  it('refuse an altered cursor, one of another list, and one written by hand, naming the argument', async () => {
    const owner = await headersFor(federation, CALLERS.socialOfficerAdministering);
    const subject = employers[0]!;
    const page = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: [subject.uscc], first: 1 }, owner);
    const cursor: string = page.body.data!['enterprises'][0].social.employees.pageInfo.endCursor;
    const declarations = await graphql(
      federation.gatewayUrl,
      'query($u: USCC!) { enterprise(uscc: $u) { customs { declarations(first: 1) { pageInfo { endCursor } } } } }',
      { u: trader.uscc },
      await headersFor(federation, CALLERS.customsOfficer),
    );
    const foreign: string = declarations.body.data!['enterprise'].customs.declarations.pageInfo.endCursor;
    const handMade = Buffer.from(JSON.stringify(['', ''])).toString('base64url');
    const altered = `${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`;
    // A cursor of another enterprise's employees: its hidden sort key must not be compared with this list's.
    const other = employers[1]!;
    const otherPage = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: [other.uscc], first: 1 }, owner);
    const otherEnterprise: string = otherPage.body.data!['enterprises'][0].social.employees.pageInfo.endCursor;
    for (const after of [altered, foreign, handMade, otherEnterprise]) {
      const { status, body } = await graphql(federation.gatewayUrl, EMPLOYEES, { codes: [subject.uscc], first: 1, after }, owner);
      expect(status).toBe(200);
      expect(body.data!['enterprises'][0].social.employees).toBeNull();
      expect(body.errors).toEqual([
        {
          message: 'after is not a cursor of this list: it was altered, or it comes from another list, enterprise or service',
          path: ['enterprises', 0, 'social', 'employees'],
          extensions: { code: 'INVALID_CURSOR', argument: 'after', service: 'social' },
        },
      ]);
    }
  });

  it('of the enterprise search and of the access log are sealed too', async () => {
    const search = await graphql(federation.gatewayUrl, '{ searchEnterprises(first: 2) { edges { cursor node { uscc } } pageInfo { endCursor } } }');
    const edges = search.body.data!['searchEnterprises'].edges;
    expect(edges).toHaveLength(2);
    for (const edge of edges) {
      expect(edge.cursor).toMatch(/^c1\./);
      expect(readings(edge.cursor).some((t) => t.includes(edge.node.uscc))).toBe(false);
    }
    const auditor = await headersFor(federation, CALLERS.auditor);
    const log = await graphql(federation.gatewayUrl, '{ auditLog(first: 1) { endCursor records { chainId } } }', {}, auditor);
    const endCursor: string = log.body.data!['auditLog'].endCursor;
    expect(endCursor).toMatch(/^c1\./);
    expect(readings(endCursor).some((t) => t.includes(log.body.data!['auditLog'].records[0].chainId))).toBe(false);
    const forged = Buffer.from(JSON.stringify(['2099-01-01 00:00:00+00', 'z', 1])).toString('base64url');
    const refused = await graphql(federation.gatewayUrl, 'query($a: String) { auditLog(first: 1, after: $a) { endCursor } }', { a: forged }, auditor);
    expect(refused.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'INVALID_CURSOR', argument: 'after', service: 'audit' }, path: ['auditLog'] })]);
  });
});
