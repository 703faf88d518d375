/**
 * Apollo Gateway and Apollo Server, made without their phone-homes. `@apollo/gateway` starts, at
 * construction, an OpenTelemetry exporter that detects the host's cloud (asking the AWS, GCP and
 * Azure metadata endpoints) and sends host details (CPU, memory, OS, cloud attributes) to Apollo
 * every hour, unless `APOLLO_TELEMETRY_DISABLED` is set; `@apollo/server` sends operation traces
 * and the schema to Apollo's studio whenever `APOLLO_KEY` and `APOLLO_GRAPH_REF` happen to be in
 * the environment. A government gateway calls out to no one: every Apollo Gateway and server of
 * this project, the benchmark's plain one included, is made with these off.
 */
import { ApolloGateway, type GatewayConfig } from '@apollo/gateway';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';

/** A new Apollo Gateway with Apollo's usage telemetry off. */
export function createApolloGateway(config: GatewayConfig): ApolloGateway {
  // Read by the constructor, so set before it runs, whatever the environment said.
  process.env['APOLLO_TELEMETRY_DISABLED'] = 'true';
  return new ApolloGateway(config);
}

/** The plugins that keep an Apollo Server from reporting to Apollo, whatever the environment says. */
export function withoutApolloReporting(): ApolloServerPlugin<BaseContext>[] {
  return [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled(), ApolloServerPluginInlineTraceDisabled()];
}
