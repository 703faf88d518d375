/**
 * The gateway as a cluster of workers (MEG_GATEWAY_WORKERS > 1): the primary only forks and
 * watches; every worker is a whole gateway on the same ports (HTTP and gRPC shared through
 * node:cluster), with its own in-process subgraphs and its own audit chain. A worker that dies
 * is replaced; the others keep serving meanwhile.
 */
import cluster, { type Worker } from 'node:cluster';
import { logger } from '../platform/observability/logger.js';

/** Restarts of one worker slot closer together than this are delayed, so a crash loop cannot spin. */
const RESTART_BACKOFF_MS = 1_000;

/** Runs the primary: forks `workers`, replaces those that exit, stops them all on SIGTERM/SIGINT. */
export function runPrimary(workers: number): void {
  let stopping = false;
  const slots = new Map<Worker, number>();
  const ready = new Set<Worker>();
  const lastStart = new Map<number, number>();

  const fork = (slot: number) => {
    lastStart.set(slot, Date.now());
    const worker = cluster.fork({ MEG_GATEWAY_WORKER: String(slot) });
    slots.set(worker, slot);
    worker.on('message', (message: unknown) => {
      if ((message as { ready?: boolean })?.ready === true) ready.add(worker);
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker);
    slots.delete(worker);
    if (slot === undefined) return;
    const wasReady = ready.delete(worker);
    if (!wasReady && !stopping) {
      // It never started: the configuration or the environment is wrong, and another would fail too.
      logger().fatal(`gateway worker ${slot} failed to start (${signal ?? `code ${code}`}); stopping the cluster`);
      stopping = true;
      process.exitCode = 1;
      for (const other of slots.keys()) other.process.kill('SIGTERM');
      if (slots.size === 0) process.exit(1);
      return;
    }
    if (stopping) {
      if (slots.size === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    logger().error(`gateway worker ${slot} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting another`);
    const wait = Math.max(0, RESTART_BACKOFF_MS - (Date.now() - (lastStart.get(slot) ?? 0)));
    setTimeout(() => {
      if (!stopping) fork(slot);
    }, wait);
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (slots.size === 0) process.exit(0);
    for (const worker of slots.keys()) worker.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  for (let slot = 0; slot < workers; slot++) fork(slot);
  logger().info(`gateway primary ${process.pid}: ${workers} workers`);
}
