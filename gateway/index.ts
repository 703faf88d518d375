/** The gateway process (port 4000 by default); with MEG_GATEWAY_WORKERS > 1, a cluster of them. */
import cluster from 'node:cluster';
import { runPrimary } from './cluster.js';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './server.js';
import { stopOnSignals } from '../platform/http/httpServer.js';
import { configureLogger, logger } from '../platform/observability/logger.js';
import { startTracing } from '../platform/observability/tracing.js';

try {
  // First, so that every line is structured (MEG_LOG_LEVEL, checked).
  configureLogger({ service: 'meg-gateway' });
  const config = loadGatewayConfig();
  if (cluster.isPrimary && config.workers > 1) {
    runPrimary(config.workers);
  } else {
    const tracing = startTracing({ service: 'meg-gateway' });
    const gateway = await startGateway(config);
    const worker = cluster.isWorker ? ` (worker ${process.env['MEG_GATEWAY_WORKER']}, pid ${process.pid})` : '';
    logger().info(
      { url: gateway.url, grpc: gateway.grpcAddress, admin: gateway.adminUrl, policyRevision: gateway.policyRevision, tracing: tracing.enabled },
      `gateway on ${gateway.url}, joint review on grpc://${gateway.grpcAddress}, admin on ${gateway.adminUrl} (policy ${gateway.policyRevision.slice(0, 12)})${worker}`,
    );
    stopOnSignals(async () => {
      await gateway.stop();
      await tracing.shutdown();
    });
    process.send?.({ ready: true });
  }
} catch (error) {
  logger().fatal(`gateway cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
