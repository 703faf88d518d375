import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../platform/config/env.js';
import { loadSubgraphConfig } from './config.js';

describe("a subgraph's observability settings", () => {
  it('put its admin port beside its public one by default, on loopback, logging at info', () => {
    expect(loadSubgraphConfig('market', {})).toMatchObject({ port: 4001, adminHost: '127.0.0.1', adminPort: 9401, logLevel: 'info' });
    expect(loadSubgraphConfig('customs', {})).toMatchObject({ port: 4004, adminPort: 9404 });
  });

  it('are read from MEG_<AGENCY>_ADMIN_PORT, MEG_ADMIN_HOST and MEG_LOG_LEVEL', () => {
    expect(loadSubgraphConfig('tax', { MEG_TAX_ADMIN_PORT: '0', MEG_ADMIN_HOST: '10.1.2.3', MEG_LOG_LEVEL: 'warn' })).toMatchObject({ adminPort: 0, adminHost: '10.1.2.3', logLevel: 'warn' });
  });

  it('refuse an admin port that is the public one, and a level pino does not know', () => {
    expect(() => loadSubgraphConfig('social', { MEG_SOCIAL_PORT: '5000', MEG_SOCIAL_ADMIN_PORT: '5000' })).toThrow(
      new ConfigurationError("MEG_SOCIAL_ADMIN_PORT=5000 is the subgraph's public port: the admin port must be another"),
    );
    expect(() => loadSubgraphConfig('social', { MEG_LOG_LEVEL: 'loud' })).toThrow(/MEG_LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent/);
    expect(() => loadSubgraphConfig('social', { MEG_SOCIAL_ADMIN_PORT: '70000' })).toThrow(/MEG_SOCIAL_ADMIN_PORT=70000 is out of range/);
  });
});

describe("a subgraph's events server", () => {
  it('is none unless MEG_NATS_URL names one, or a cluster of them', () => {
    expect(loadSubgraphConfig('market', {}).natsServers).toBeNull();
    expect(loadSubgraphConfig('market', { MEG_NATS_URL: '  ' }).natsServers).toBeNull();
    expect(loadSubgraphConfig('market', { MEG_NATS_URL: 'nats://127.0.0.1:4222' }).natsServers).toEqual(['nats://127.0.0.1:4222']);
    expect(loadSubgraphConfig('market', { MEG_NATS_URL: 'nats://a.example:4222, nats://b.example:4222' }).natsServers).toEqual(['nats://a.example:4222', 'nats://b.example:4222']);
  });

  it('refuses what is not a nats://host:port URL, naming it without its password', () => {
    expect(() => loadSubgraphConfig('market', { MEG_NATS_URL: 'http://127.0.0.1:4222' })).toThrow(
      new ConfigurationError('MEG_NATS_URL names "http://127.0.0.1:4222": expected nats://host:port (or tls://host:port), comma-separated for a cluster'),
    );
    expect(() => loadSubgraphConfig('market', { MEG_NATS_URL: 'nats://127.0.0.1:4222,localhost' })).toThrow(/names "server 2": expected nats:\/\/host:port/);
    expect(() => loadSubgraphConfig('market', { MEG_NATS_URL: 'nats://127.0.0.1:0' })).toThrow(/names "nats:\/\/127.0.0.1:0"/);
    expect(() => loadSubgraphConfig('market', { MEG_NATS_URL: 'nats://relay:s3cret@127.0.0.1:4222/x' })).toThrow(/names "nats:\/\/127.0.0.1:4222\/x"/);
    expect(() => loadSubgraphConfig('market', { MEG_NATS_URL: 'nats://relay:s3cret@127.0.0.1:4222/x' })).not.toThrow(/s3cret/);
    expect(loadSubgraphConfig('market', { MEG_NATS_URL: 'tls://nats.example:4443' }).natsServers).toEqual(['tls://nats.example:4443']);
  });
});
