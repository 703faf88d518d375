/**
 * The benchmark's baseline (a): a plain Apollo Gateway under Apollo Server, configured as their
 * documentation shows — a static supergraph, the default RemoteGraphQLDataSource and fetcher,
 * no policy, no audit.
 *
 *   node dist/bench/plainGateway.js <supergraph.graphql> <port>
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const [supergraphFile, port] = process.argv.slice(2);
if (!supergraphFile || !port) {
  console.error('usage: node dist/bench/plainGateway.js <supergraph.graphql> <port>');
  process.exit(2);
}
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
console.log(`plain Apollo Gateway on ${url}`);
