/** Creates the development signing key pair of the gateway under the data folder, if missing. */
import path from 'node:path';
import { dataDirFrom } from '../subgraphs/shared/config.js';
import { ensureSigningKeys } from '../subgraphs/shared/keys.js';

const dir = path.join(dataDirFrom(process.env), 'keys');
const { created } = ensureSigningKeys(dir);
console.log(created ? `gateway signing key pair created in ${dir}` : `gateway signing key pair present in ${dir}`);
