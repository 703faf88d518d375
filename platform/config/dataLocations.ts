/**
 * Where the project keeps its data, as every process reads it from the environment: the data
 * folder (embedded databases, development keys) and each agency's database.
 */
import path from 'node:path';
import { AGENCY_CODES, type Agency } from '../domain/agencies.js';
import { projectRoot } from './projectRoot.js';
import type { DatabaseLocation } from '../db/database.js';
import { postgresUrlFrom, stringFrom } from './env.js';

/** The data folder: `MEG_DATA_DIR`, default `.data` in the project. */
export function dataDirFrom(env: NodeJS.ProcessEnv): string {
  return path.resolve(projectRoot, stringFrom(env, 'MEG_DATA_DIR', '.data'));
}

/** The database location of an agency under this environment. */
export function databaseLocationFrom(env: NodeJS.ProcessEnv, agency: Agency): DatabaseLocation {
  const url = postgresUrlFrom(env, `DATABASE_URL_${AGENCY_CODES[agency]}`);
  return url ? { url } : { dataDir: path.join(dataDirFrom(env), agency) };
}
