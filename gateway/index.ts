/** The gateway process (port 4000 by default). */
import { startGateway } from './server.js';

try {
  const gateway = await startGateway();
  console.log(`gateway on ${gateway.url}, joint review on grpc://${gateway.grpcAddress} (policy ${gateway.policyRevision.slice(0, 12)})`);
  const shutdown = () => {
    gateway.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (error) {
  console.error(`gateway cannot start: ${(error as Error).message}`);
  process.exit(1);
}
