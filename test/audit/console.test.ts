/// <reference lib="dom" />
/**
 * The gateway's pages in a real browser (Debian's Chromium, driven by playwright-core): in the
 * audit console an auditor signs in with a token and sees the matrix as a coloured grid, the chain
 * status, and a filtered page of the log; at /graphql anyone gets the GraphiQL explorer. Both are
 * loaded from the gateway alone.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const CHROMIUM = process.env['MEG_CHROMIUM'] ?? '/usr/bin/chromium';
const subject = universe(federation.seed, 20)[11]!;
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Something in the log about the subject.
  await graphql(
    federation.gatewayUrl,
    'query($u: USCC!) { enterprise(uscc: $u) { market { name legalRepresentative { idNumber } } } }',
    { u: subject.uscc },
    await headersFor(federation, CALLERS.customsOfficer),
  );
});
afterAll(async () => {
  await browser?.close();
});

describe('the audit console', () => {
  it('shows the matrix, the chains and a filtered log to an auditor, loading nothing from outside', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const origin = new URL(federation.gatewayUrl).origin;
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(origin)) foreign.push(request.url());
    });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${origin}/console`);
    const token = (await headersFor(federation, CALLERS.auditor))['authorization']!.replace('Bearer ', '');
    await page.fill('#token', token);
    await page.click('#use-token');

    await page.waitForSelector('#matrix td.cell-DENY');
    const effects = await page.$$eval('#matrix td.cell', (cells) => cells.map((c) => (c as HTMLElement).dataset['effect']));
    expect(new Set(effects)).toEqual(new Set(['ALLOW', 'MASK', 'DENY']));
    const background = await page.$eval('#matrix td.cell-DENY', (c) => getComputedStyle(c).backgroundColor);
    expect(background).toBe('rgb(245, 183, 177)');
    await page.waitForSelector('#chains .intact');
    expect(await page.textContent('#chains')).toMatch(/^Intact: \d+ chains?, \d+ records verified\.$/);

    await page.fill('#log-filters input[name=uscc]', subject.uscc);
    await page.fill('#log-filters input[name=agency]', 'CUSTOMS');
    await page.click('#log-filters button[type=submit]');
    await page.waitForFunction((uscc) => {
      const rows = Array.from(document.querySelectorAll('#log tbody tr'));
      return rows.length > 0 && rows.every((r) => r.textContent.includes(uscc));
    }, subject.uscc);
    const firstRow = await page.textContent('#log tbody tr');
    expect(firstRow).toContain('CUSTOMS');
    expect(firstRow).toContain('customs-officer-1');

    const catalogueRows = await page.$$eval('#catalogue tbody tr', (rows) => rows.length);
    expect(catalogueRows).toBeGreaterThan(100);

    const out = path.join(projectRoot, 'test-results');
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, 'console.png'), fullPage: false });
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('reports the publication of decisions (双公示) per agency, and the decisions not on time, as the report does', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${new URL(federation.gatewayUrl).origin}/console`);
    const headers = await headersFor(federation, CALLERS.auditor);
    await page.fill('#token', headers['authorization']!.replace('Bearer ', ''));
    await page.click('#use-token');
    await page.waitForSelector('#publication tbody tr');

    const period = { from: '2023-07-01', to: '2026-06-30', asOf: '2026-06-30' };
    await page.fill('#publication-filters input[name=from]', period.from);
    await page.fill('#publication-filters input[name=to]', period.to);
    await page.fill('#publication-filters input[name=asOf]', period.asOf);
    await page.click('#publication-filters button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#publication-basis')?.textContent?.startsWith('As of 2026-06-30'));
    const shown = await page.$$eval('#publication tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent)));

    const { body } = await graphql(
      federation.gatewayUrl,
      `
        query ($from: Date!, $to: Date!, $asOf: Date) {
          publicationCompliance(from: $from, to: $to, asOf: $asOf) {
            market {
              agency
              decisions
              onTime
              late
              overdue
              pending
              deadlineUnknown
            }
            tax {
              agency
              decisions
              onTime
              late
              overdue
              pending
              deadlineUnknown
            }
            customs {
              agency
              decisions
              onTime
              late
              overdue
              pending
              deadlineUnknown
            }
          }
        }
      `,
      period,
      headers,
    );
    expect(body.errors).toBeUndefined();
    const report = (body.data as { publicationCompliance: Record<string, Record<string, unknown>> }).publicationCompliance;
    const expected = ['market', 'tax', 'customs'].map((agency) => Object.values(report[agency]!).map(String));
    expect(shown).toEqual(expected);
    // The seeded universe publishes some decisions late and some never: the page lists them, overdue first.
    const statuses = await page.$$eval('#publication-cases tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses).toContain('OVERDUE');
    expect(statuses).toContain('LATE');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('does not sign in with a token that is not an auditor’s', async () => {
    const page = await browser.newPage();
    await page.goto(`${new URL(federation.gatewayUrl).origin}/console`);
    const token = (await headersFor(federation, CALLERS.taxOfficer))['authorization']!.replace('Bearer ', '');
    await page.fill('#token', token);
    await page.click('#use-token');
    await page.waitForSelector('#sign-in-status.error');
    expect(await page.textContent('#sign-in-status')).toMatch(/^Not signed in: /);
    expect(await page.isHidden('#console')).toBe(true);
    await page.close();
  });
});

describe('the GraphQL explorer', () => {
  it('renders GraphiQL in a browser that can reach nothing but the gateway, and runs its example from there', async () => {
    const origin = new URL(federation.gatewayUrl).origin;
    // Every request beyond the gateway is refused and noted, as on a network without internet access.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const foreign: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      foreign.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('requestfailed', (request) => problems.push(`${request.url()}: ${request.failure()?.errorText}`));
    try {
      await page.goto(`${origin}/graphql`);
      await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
      type Editor = HTMLElement & { CodeMirror: { getValue(): string; setValue(text: string): void } };
      const editorText = (selector: string) => page.$eval(selector, (e) => (e as Editor).CodeMirror.getValue());
      expect(await editorText('.graphiql-query-editor .CodeMirror')).toContain('query EnterpriseProfile($uscc: USCC!) {');
      // The example runs as it is from the explorer's button, its variable filled in with the
      // first enterprise of the graph, and the answer shows in the response pane: what the gateway
      // answers that query (as the public).
      const variablesEditor = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
      const { uscc } = JSON.parse(await editorText(variablesEditor)) as { uscc: string };
      expect(uscc).toMatch(/^[0-9A-HJ-NPQRTUWXY]{18}$/);
      await page.click('.graphiql-execute-button');
      await page.waitForFunction((code) => document.querySelector<Editor>('.graphiql-response .CodeMirror')?.CodeMirror.getValue().includes(code), uscc);
      const expected = await graphql(federation.gatewayUrl, await editorText('.graphiql-query-editor .CodeMirror'), { uscc });
      expect(expected.body.data!['enterprise']).toMatchObject({ uscc, market: { name: expect.any(String) } });
      expect(JSON.parse(await editorText('.graphiql-response .CodeMirror'))).toEqual(expected.body);
      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
