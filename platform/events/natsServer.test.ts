/** The pinned nats-server: the version the code looks for is the one the Makefile builds. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config/projectRoot.js';
import { NATS_SERVER_VERSION, natsServerBinary } from './natsServer.js';

describe('the pinned nats-server', () => {
  it('is the version the Makefile builds, in the project’s tools unless MEG_NATS_SERVER names another', () => {
    const makefile = readFileSync(path.join(projectRoot, 'Makefile'), 'utf8');
    expect(/^NATS_SERVER_VERSION := (\S+)$/m.exec(makefile)?.[1]).toBe(NATS_SERVER_VERSION);
    expect(natsServerBinary({})).toBe(path.join(projectRoot, `.tools/nats-server-${NATS_SERVER_VERSION}/nats-server`));
    expect(natsServerBinary({ MEG_NATS_SERVER: '/opt/nats/nats-server' })).toBe('/opt/nats/nats-server');
  });
});
