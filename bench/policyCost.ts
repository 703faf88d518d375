/**
 * The policy's cost in isolation: one decision for an operation of about fifty fields, cold (the
 * wasm evaluation and the pruning) and cached (the plan from the cache), against the sidecar
 * pattern this design replaces — the same Rego asked of an OPA server over REST, field by field.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, parse } from 'graphql';
import { loadGatewayConfig } from '../gateway/config.js';
import { AccessPolicy, type Principal } from '../gateway/policy/accessPolicy.js';
import { pruneDocument, selectedCoordinates } from '../gateway/policy/enforcement.js';
import { PolicyEnforcingGateway } from '../gateway/policy/enforcingGateway.js';
import { createMasker } from '../gateway/policy/masking.js';
import { projectRoot } from '../platform/config/projectRoot.js';

const OPERATION = /* GraphQL */ `
  query Wide($u: USCC!) {
    enterprise(uscc: $u) {
      uscc
      market {
        name
        entityType
        status
        establishedOn
        registeredCapital
        regionCode
        industryCode
        address
        businessScope
        legalRepresentative {
          name
          idNumber
          phone
        }
        licences {
          licenceNo
          title
          authority
          grantedOn
          validUntil
        }
        penalties {
          decisionNo
          decidedOn
          publishedOn
          authority
          basis
          amount
        }
        abnormalOperations {
          reason
          listedOn
          authority
          removedOn
        }
        seriousViolations {
          reason
          decisionNo
          listedOn
        }
        annualReports {
          year
          filedOn
          employeeCount
          totalAssets
        }
      }
      tax {
        taxpayerType
        registeredOn
        taxAuthority
        creditRatings {
          year
          rating
          evaluatedOn
        }
        arrears {
          taxType
          amount
          since
          settledOn
        }
        majorViolations {
          caseNo
          nature
          amount
        }
      }
      social {
        employerNo
        insuredHeadcount
        arrears {
          insuranceType
          amount
          months
        }
      }
      customs {
        customsCode
        creditLevel
        creditLevelSince
      }
    }
  }
`;

/** Measures and returns the figures (µs); `dataFile` is where the OPA server's data document is written. */
export async function measurePolicyCost(dataFile: string): Promise<Record<string, number>> {
  const config = loadGatewayConfig();
  const policy = await AccessPolicy.load(config.policyFile, config.catalogueFile);
  const schema = buildASTSchema(parse(readFileSync(config.supergraphFile, 'utf8')), { assumeValidSDL: true });
  const document = parse(OPERATION);
  const coordinates = selectedCoordinates(schema, document);
  const principal = (i: number): Principal => ({ sub: `p${i}`, agency: 'CUSTOMS', roles: ['officer'], region: String(100000 + i), purposes: ['CUSTOMS_SUPERVISION'], public: false });

  const time = (n: number, fn: (i: number) => void) => {
    for (let i = 0; i < Math.min(200, n); i++) fn(i);
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    return Number(process.hrtime.bigint() - start) / 1000 / n;
  };
  const cold = time(2_000, (i) => pruneDocument(schema, document, policy.decide(principal(i), 'CUSTOMS_SUPERVISION', coordinates)));
  const gateway = new PolicyEnforcingGateway(null as never, policy, createMasker(Buffer.alloc(32)));
  const context = { principal: principal(0), purpose: 'CUSTOMS_SUPERVISION' };
  const cached = time(20_000, () => gateway.planFor(schema, document, 'bench-query-hash', 'Wide', context));

  // The sidecar: the same Rego and catalogue in an OPA server, one REST call per field.
  writeFileSync(dataFile, JSON.stringify({ meg: { catalogue: Object.fromEntries(policy.catalogue) } }));
  const opa = spawn(
    path.join(projectRoot, '.tools/opa-v1.22.3/opa'),
    ['run', '--server', '--addr', '127.0.0.1:5181', '--log-level', 'error', path.join(projectRoot, 'policies/meg/access/access.rego'), dataFile],
    { stdio: 'ignore' },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch('http://127.0.0.1:5181/health')).ok) break;
      } catch {
        if (i > 100) throw new Error('the OPA server did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const ask = async (i: number) => {
      for (const coordinate of coordinates) {
        const res = await fetch('http://127.0.0.1:5181/v1/data/meg/access/decisions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: { principal: principal(i), purpose: 'CUSTOMS_SUPERVISION', coordinates: [coordinate] } }),
        });
        const body = (await res.json()) as { result?: Record<string, unknown> };
        if (!body.result?.[coordinate]) throw new Error(`OPA did not decide ${coordinate}`);
      }
    };
    for (let i = 0; i < 20; i++) await ask(i);
    const n = 200;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await ask(i);
    const server = Number(process.hrtime.bigint() - start) / 1000 / n;
    return {
      fields: coordinates.length,
      coldMicros: Math.round(cold),
      cachedMicros: Math.round(cached * 100) / 100,
      opaServerMicros: Math.round(server),
      opaServerOverCold: Math.round((server / cold) * 10) / 10,
      opaServerOverCached: Math.round(server / cached),
    };
  } finally {
    opa.kill('SIGKILL');
  }
}
