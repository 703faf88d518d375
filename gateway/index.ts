/** The gateway process (port 4000 by default); with MEG_GATEWAY_WORKERS > 1, a cluster of them. */
import cluster from 'node:cluster';
import { runPrimary } from './cluster.js';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './server.js';
import { stopOnSignals } from '../platform/http/httpServer.js';

try {
  const config = loadGatewayConfig();
  if (cluster.isPrimary && config.workers > 1) {
    runPrimary(config.workers);
  } else {
    const gateway = await startGateway(config);
    const worker = cluster.isWorker ? ` (worker ${process.env['MEG_GATEWAY_WORKER']}, pid ${process.pid})` : '';
    console.log(`gateway on ${gateway.url}, joint review on grpc://${gateway.grpcAddress} (policy ${gateway.policyRevision.slice(0, 12)})${worker}`);
    stopOnSignals(() => gateway.stop());
    process.send?.({ ready: true });
  }
} catch (error) {
  console.error(`gateway cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
