// The audit console: a page for auditors over the gateway's own GraphQL API (no other server,
// nothing from outside). Every query it makes is itself authenticated, decided and recorded.
'use strict';

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('meg-auditor-token') || '';
let logCursor = null;

async function ask(query, variables) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'AUDIT' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

function cell(tag, text, className) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = String(text);
  if (className) el.className = className;
  return el;
}

function fillTable(table, headers, rows) {
  table.replaceChildren();
  const head = document.createElement('thead');
  const tr = document.createElement('tr');
  for (const h of headers) tr.append(h instanceof Node ? h : cell('th', h));
  head.append(tr);
  const body = document.createElement('tbody');
  for (const row of rows) {
    const r = document.createElement('tr');
    for (const value of row) r.append(value instanceof Node ? value : cell('td', value));
    body.append(r);
  }
  table.append(head, body);
}

async function loadChains() {
  $('chains').textContent = 'Checking…';
  try {
    const { auditVerification: v } = await ask('{ auditVerification { intact chains records brokenChainId brokenSeq reason } }');
    $('chains').replaceChildren(
      v.intact
        ? cell('span', `Intact: ${v.chains} chain${v.chains === 1 ? '' : 's'}, ${v.records} records verified.`, 'intact')
        : cell('span', `Broken: chain ${v.brokenChainId}, record ${v.brokenSeq}: ${v.reason}`, 'broken'),
    );
  } catch (error) {
    $('chains').replaceChildren(cell('span', error.message, 'error'));
  }
}

let catalogue = [];
async function loadMatrix() {
  const filter = $('matrix-filter').value.trim();
  const coordinates = catalogue.map((e) => e.coordinate).filter((c) => !filter || c.includes(filter));
  const { policyMatrix: m } = await ask('query($c: [String!]) { policyMatrix(coordinates: $c) { coordinates policyRevision rows { profile effects } } }', { c: coordinates });
  $('policy-revision').textContent = `Policy revision ${m.policyRevision.slice(0, 12)}.`;
  const headers = [cell('th', 'caller profile'), ...m.coordinates.map((c) => cell('th', c, 'coordinate'))];
  const rows = m.rows.map((r) => [
    cell('th', r.profile),
    ...r.effects.map((e, i) => {
      const td = cell('td', e[0], `cell cell-${e}`);
      td.title = `${r.profile} · ${m.coordinates[i]}: ${e}`;
      td.dataset.effect = e;
      return td;
    }),
  ]);
  fillTable($('matrix'), headers, rows);
}

async function loadCatalogue() {
  const { classificationCatalogue } = await ask('{ classificationCatalogue { coordinate owners sharing personal mask purposes description } }');
  catalogue = classificationCatalogue;
  fillTable(
    $('catalogue'),
    ['field', 'owner', 'sharing', 'personal', 'mask', 'purposes', 'description'],
    catalogue.map((e) => [e.coordinate, e.owners.join(', '), e.sharing, e.personal ? 'yes' : '', e.mask || '', e.purposes.join(', '), e.description || '']),
  );
}

async function loadLog(more) {
  const form = new FormData($('log-filters'));
  const filter = {};
  for (const [key, value] of form.entries()) {
    if (!value) continue;
    filter[key] = key === 'from' || key === 'to' ? new Date(value).toISOString() : value;
  }
  const after = more ? logCursor : null;
  const { auditLog } = await ask(
    `query($f: AuditLogFilter, $after: String) { auditLog(filter: $f, first: 50, after: $after) {
       records { at requestId channel principalSub principalAgency purpose operationName enterprises outcome decisions { coordinate effect } }
       hasNextPage endCursor } }`,
    { f: filter, after },
  );
  logCursor = auditLog.endCursor;
  $('log-next').hidden = !auditLog.hasNextPage;
  const rows = auditLog.records.map((r) => {
    const masked = r.decisions.filter((d) => d.effect === 'MASK').length;
    const denied = r.decisions.filter((d) => d.effect === 'DENY').length;
    return [
      r.at,
      r.outcome,
      r.channel,
      r.principalAgency || 'public',
      r.principalSub || '—',
      r.purpose || '—',
      r.operationName || '—',
      r.enterprises.join(' '),
      `${r.decisions.length} / ${masked} / ${denied}`,
      r.requestId,
    ];
  });
  fillTable($('log'), ['time', 'outcome', 'channel', 'agency', 'subject', 'purpose', 'operation', 'enterprises', 'fields / masked / denied', 'request'], rows);
}

const PUBLICATION_PART = `agency decisions onTime late overdue pending deadlineUnknown
  cases(first: 50) { status kind decisionNo uscc authority decidedOn deadline publishedOn workingDaysLate problem }`;

async function loadPublication() {
  const form = new FormData($('publication-filters'));
  const v = { from: form.get('from'), to: form.get('to'), authority: form.get('authority') || null, asOf: form.get('asOf') || null };
  $('publication-basis').textContent = 'Reporting…';
  try {
    const { publicationCompliance: r } = await ask(
      `query($from: Date!, $to: Date!, $authority: String, $asOf: Date) { publicationCompliance(from: $from, to: $to, authority: $authority, asOf: $asOf) {
         asOf workingDays basis market { ${PUBLICATION_PART} } tax { ${PUBLICATION_PART} } customs { ${PUBLICATION_PART} } } }`,
      v,
    );
    const parts = [r.market, r.tax, r.customs].filter(Boolean);
    $('publication-basis').textContent = `As of ${r.asOf}; deadline ${r.workingDays} working days: ${r.basis}`;
    fillTable(
      $('publication'),
      ['agency', 'decisions', 'on time', 'late', 'overdue', 'pending', 'deadline unknown'],
      parts.map((p) => [p.agency, p.decisions, p.onTime, p.late, p.overdue, p.pending, p.deadlineUnknown]),
    );
    const cases = parts.flatMap((p) => p.cases.map((c) => ({ ...c, agency: p.agency })));
    fillTable(
      $('publication-cases'),
      ['status', 'agency', 'kind', 'decision', 'enterprise', 'authority', 'decided', 'due', 'published', 'working days late'],
      cases.map((c) => [
        cell('td', c.status, `status-${c.status}`),
        c.agency,
        c.kind,
        c.decisionNo,
        c.uscc,
        c.authority || '(not recorded)',
        c.decidedOn,
        c.deadline || '?',
        c.publishedOn || '—',
        c.workingDaysLate ?? c.problem,
      ]),
    );
  } catch (error) {
    $('publication-basis').replaceChildren(cell('span', error.message, 'error'));
  }
}

async function start() {
  $('sign-in-status').textContent = 'Loading…';
  try {
    await loadCatalogue();
    $('console').hidden = false;
    $('sign-in-status').textContent = 'Signed in.';
    await Promise.all([loadChains(), loadMatrix(), loadLog(false), loadPublication()]);
  } catch (error) {
    $('console').hidden = true;
    $('sign-in-status').textContent = `Not signed in: ${error.message}`;
    $('sign-in-status').className = 'error';
  }
}

$('use-token').addEventListener('click', () => {
  token = $('token').value.trim();
  sessionStorage.setItem('meg-auditor-token', token);
  $('sign-in-status').className = '';
  void start();
});
$('verify').addEventListener('click', () => void loadChains());
$('matrix-filter').addEventListener('change', () => void loadMatrix());
$('log-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadLog(false);
});
$('log-next').addEventListener('click', () => void loadLog(true));
$('publication-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadPublication();
});
{
  // The report opens on this year up to today, in Beijing.
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  $('publication-filters').elements['from'].value = `${today.slice(0, 4)}-01-01`;
  $('publication-filters').elements['to'].value = today;
}
if (token) {
  $('token').value = token;
  void start();
}
