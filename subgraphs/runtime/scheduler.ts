/**
 * The agency's scheduler: steps that act on the passing of time (a decision's publication falling
 * due, an entry's term running out), run one after another every interval on the process's clock.
 * Each step must be idempotent and safe beside the same step on another replica: the scheduler
 * only decides when a step runs, never whether its work was done.
 */
import { logger } from '../../platform/observability/logger.js';

/** One step: what it is called in logs, and its work, answering how many things it did. */
export interface ScheduledStep {
  readonly name: string;
  readonly run: () => Promise<number>;
}

/** Runs steps every `intervalMs`, the first run straight away; `stop` waits for a run under way. */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly agency: string,
    private readonly steps: readonly ScheduledStep[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.steps.length === 0) return;
    this.schedule(0);
  }

  /** Runs every step once, now (a run under way is waited for first). */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.runSteps();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce().finally(() => this.schedule(this.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async runSteps(): Promise<void> {
    for (const step of this.steps) {
      if (this.stopped) return;
      try {
        const done = await step.run();
        if (done > 0) logger().info({ agency: this.agency, step: step.name, done }, `scheduler: ${step.name} did ${done}`);
      } catch (error) {
        // A step that fails is tried again at the next interval; the others still run.
        logger().error({ agency: this.agency, step: step.name, error: (error as Error).message }, `scheduler: ${step.name} failed`);
      }
    }
  }
}
