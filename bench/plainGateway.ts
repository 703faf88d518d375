/**
 * The benchmark's baseline (a): a plain Apollo Gateway under Apollo Server, configured as their
 * documentation shows — a static supergraph, the default RemoteGraphQLDataSource and fetcher,
 * no policy, no audit. Apollo's usage telemetry is off, as in this gateway (gateway/apolloGateway.ts),
 * so that neither pays for an exporter the other does not run.
 *
 *   node dist/bench/plainGateway.js <supergraph.graphql> <port>
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createApolloGateway, withoutApolloReporting } from '../gateway/apolloGateway.js';

const [supergraphFile, port] = process.argv.slice(2);
if (!supergraphFile || !port) {
  console.error('usage: node dist/bench/plainGateway.js <supergraph.graphql> <port>');
  process.exit(2);
}
const gateway = createApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') });
const server = new ApolloServer({ gateway, plugins: withoutApolloReporting() });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
console.log(`plain Apollo Gateway on ${url}`);
