import { afterEach, describe, expect, it } from 'vitest';
import { adminHostFrom, startAdminServer, type AdminServer } from './adminServer.js';
import { counter, Registry } from './metrics.js';

let admin: AdminServer | undefined;
afterEach(async () => {
  await admin?.stop();
  admin = undefined;
});

describe('the admin server', () => {
  it("serves the registry's metrics as Prometheus text", async () => {
    const registry = new Registry();
    counter({ name: 'meg_test_things_total', help: 'Things counted by the test.' }, registry).inc(3);
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, registry, readiness: async () => ({ ready: true }) });
    const res = await fetch(`${admin.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('# HELP meg_test_things_total Things counted by the test.\n# TYPE meg_test_things_total counter\nmeg_test_things_total 3\n');
  });

  it('answers /healthz while the process runs and /readyz as the process decides', async () => {
    let ready = false;
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, registry: new Registry(), readiness: async () => ({ ready, detail: { backend: 'postgres' } }) });
    expect(await answer('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await answer('/readyz')).toEqual({ status: 503, body: { status: 'not ready', backend: 'postgres' } });
    ready = true;
    expect(await answer('/readyz')).toEqual({ status: 200, body: { status: 'ready', backend: 'postgres' } });
  });

  it('counts a readiness check that throws as not ready, without its message', async () => {
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, registry: new Registry(), readiness: () => Promise.reject(new Error('password authentication failed for user "meg"')) });
    expect(await answer('/readyz')).toEqual({ status: 503, body: { status: 'not ready' } });
  });

  it('serves nothing else', async () => {
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, registry: new Registry(), readiness: async () => ({ ready: true }) });
    for (const path of ['/', '/graphql', '/metrics/', '/debug/pprof', '/readyz/../graphql']) {
      expect((await fetch(`${admin.url}${path}`)).status, path).toBe(404);
    }
    const post = await fetch(`${admin.url}/metrics`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a port already taken', async () => {
    admin = await startAdminServer({ host: '127.0.0.1', port: 0, registry: new Registry(), readiness: async () => ({ ready: true }) });
    const port = Number(new URL(admin.url).port);
    await expect(startAdminServer({ host: '127.0.0.1', port, registry: new Registry(), readiness: async () => ({ ready: true }) })).rejects.toThrow(/EADDRINUSE/);
  });

  it('listens on loopback unless MEG_ADMIN_HOST says otherwise', () => {
    expect(adminHostFrom({})).toBe('127.0.0.1');
    expect(adminHostFrom({ MEG_ADMIN_HOST: '10.0.0.5' })).toBe('10.0.0.5');
  });
});

async function answer(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${admin!.url}${path}`);
  return { status: res.status, body: await res.json() };
}
