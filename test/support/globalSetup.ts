/**
 * Starts the federation on the PostgreSQL server once for the whole suite and hands its
 * addresses to the test files.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startFederation, type Federation, type FederationInfo } from './federation.js';

/** The seed and size of the shared federation: enterprise i is the same in every federation of this seed. */
export const SHARED_SEED = 'meg-test';
export const SHARED_SIZE = 2_000;

let federation: Federation | undefined;

export async function setup(project: TestProject): Promise<void> {
  // The shared set, under the checkout's prefix (MEG_TEST_DATABASE_PREFIX): see testDatabasePrefix.
  federation = await startFederation({ backend: 'postgres', size: SHARED_SIZE, seed: SHARED_SEED });
  // Only the data crosses to the test workers, not the process handles.
  const info = Object.fromEntries(Object.entries(federation).filter(([, v]) => typeof v !== 'function')) as unknown as FederationInfo;
  project.provide('federation', info);
}

export async function teardown(): Promise<void> {
  await federation?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    federation: FederationInfo;
  }
}
