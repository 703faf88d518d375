/**
 * Apollo Gateway, made without its phone-home. `@apollo/gateway` starts, at construction, an
 * OpenTelemetry exporter that detects the host's cloud (asking the AWS, GCP and Azure metadata
 * endpoints) and sends host details (CPU, memory, OS, cloud attributes) to Apollo every hour,
 * unless `APOLLO_TELEMETRY_DISABLED` is set. A government gateway calls out to no one: every
 * Apollo Gateway of this project, the benchmark's plain one included, is made here.
 */
import { ApolloGateway, type GatewayConfig } from '@apollo/gateway';

/** A new Apollo Gateway with Apollo's usage telemetry off. */
export function createApolloGateway(config: GatewayConfig): ApolloGateway {
  // Read by the constructor, so set before it runs, whatever the environment said.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
  return new ApolloGateway(config);
}
