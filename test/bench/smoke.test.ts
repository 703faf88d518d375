/**
 * The benchmark cannot rot: a seconds-long run of `make bench` in which plain Apollo Gateway, this
 * gateway and Hive Gateway all start, answer every scenario correctly (bench/run.ts checks the
 * answers before timing) and serve every timed request, and this gateway's Server-Timing header
 * and the joint review's trailer give its own time. It writes to a temporary file, never over
 * the committed results.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';

describe('make bench, smoke run', () => {
  it('starts all three gateways, checks their answers and reports every figure', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-bench-smoke-'));
    const output = path.join(dir, 'results.json');
    try {
      execFileSync(process.execPath, [path.join(projectRoot, 'dist/bench/run.js')], {
        env: { ...process.env, BENCH_SMOKE: '1', BENCH_SECONDS: '1', BENCH_ROUNDS: '1', BENCH_CONCURRENCY: '4', BENCH_SCENARIOS: 'profile,list100,public,review,events', BENCH_OUTPUT: output },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 240_000,
      });
      const report = JSON.parse(readFileSync(output, 'utf8'));
      expect(report.ratios.b_over_a).toBeGreaterThan(0);
      expect(report.ratios.b_over_c).toBeGreaterThan(0);
      for (const name of ['profile', 'list100', 'public']) {
        for (const v of ['a', 'b', 'c']) expect(report.scenarios[name].variants[v].maxRps).toBeGreaterThan(0);
      }
      // Only this gateway tells its wait on subgraphs (Server-Timing), so only it has an own time.
      expect(report.scenarios.profile.variants.b.gatewayOwnP50Ms).toBeGreaterThan(0);
      expect(report.scenarios.profile.variants.b.auditP50Ms).toBeGreaterThan(0);
      expect(report.scenarios.profile.variants.a.gatewayOwnP50Ms).toBeUndefined();
      // (b)'s audit log is on a server of its own (not the agencies'), whose work is counted as (b)'s.
      expect(report.machine.auditPostgres).toMatch(/^its own server/);
      expect(report.scenarios.profile.variants.b.auditDbCpuMsPerRequest).toBeGreaterThan(0);
      // What (b)'s signatures cost the agencies, timed inside the subgraphs: one per subgraph request.
      expect(report.scenarios.profile.variants.b.signatureCheckMeanMicros).toBeGreaterThan(0);
      expect(report.scenarios.profile.variants.b.signatureChecksPerRequest).toBeGreaterThanOrEqual(4);
      // The joint review's trailer: its wait on the agencies, less than the whole call.
      expect(report.grpc.review.agenciesMeanMs).toBeGreaterThan(0);
      expect(report.grpc.review.overAgencies).toBeGreaterThan(1);
      // The write path: every agency wrote, and the penalties written at a fixed rate reached a Watch.
      for (const agency of ['market', 'tax', 'social', 'customs']) expect(report.events.writesPerSecond[agency].rps).toBeGreaterThan(0);
      expect(report.events.delivery.delivered).toBeGreaterThan(0);
      expect(report.events.delivery.p99Ms).toBeGreaterThanOrEqual(report.events.delivery.p50Ms);
      expect(Object.keys(report.targets)).toEqual(['b_over_a', 'b_over_c', 'cachedPolicyMicros', 'gatewayOwnMs', 'reviewOverAgencies', 'scale1MOver10k', 'eventDeliveryP99', 'readsBesideWrites']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
