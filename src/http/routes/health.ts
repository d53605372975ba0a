import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { storeIntegrityProblem, storeWriteProblem, type StoreProblem } from '../../store/database.ts';
import type { DeliveryMetrics } from '../../delivery/metrics.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { Liveness, MetricsText, Readiness } from '../operations-schemas.ts';

/** ms; a readiness answer is reused this long: balancers probe every few seconds, and each answer costs a write. */
const READY_CACHE_MS = 5_000;
/** ms; SQLite's quick_check reads every page, so it runs at most this often, in the background after the first. */
const INTEGRITY_CACHE_MS = 300_000;
/** ms; a queue that has not answered by then counts as unreachable (a probe must answer before its own timeout). */
const QUEUE_TIMEOUT_MS = 2_000;

type Problem = { reason: StoreProblem['reason'] | 'queue_unreachable'; detail: string };

/**
 * Ready means "can accept and deliver": the store takes a write (rolled back), SQLite
 * finds no damage in its file, and the queue answers. Answers are cached on the
 * injected clock, so probes cost little and tests move time instead of waiting.
 */
class ReadinessCheck {
  #answer: { at: number; problem: Problem | null } | null = null;
  #pending: Promise<Problem | null> | null = null;
  #integrity: { at: number; problem: Problem | null } | null = null;
  #integrityRunning = false;

  constructor(private readonly ctx: Context) {}

  async problem(): Promise<Problem | null> {
    const now = this.ctx.now();
    if (this.#answer && now - this.#answer.at < READY_CACHE_MS) return this.#answer.problem;
    // Probes that arrive together share one check.
    this.#pending ??= this.#check(now).finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #check(now: number): Promise<Problem | null> {
    const problem = (await storeWriteProblem(this.ctx.store)) ?? (await this.#integrityProblem(now)) ?? (await this.#queueProblem());
    this.#answer = { at: now, problem };
    return problem;
  }

  /** The first check is awaited; later ones run in the background while the last answer stands. */
  async #integrityProblem(now: number): Promise<Problem | null> {
    const run = async () => {
      this.#integrityRunning = true;
      try {
        this.#integrity = { at: now, problem: await storeIntegrityProblem(this.ctx.store) };
      } finally {
        this.#integrityRunning = false;
      }
    };
    if (!this.#integrity) await run();
    else if (now - this.#integrity.at >= INTEGRITY_CACHE_MS && !this.#integrityRunning) {
      void run().catch((err: unknown) => this.ctx.logger.error({ err }, 'store integrity check failed'));
    }
    return this.#integrity?.problem ?? null;
  }

  async #queueProblem(): Promise<Problem | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ctx.queue.depth(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${QUEUE_TIMEOUT_MS} ms`)), QUEUE_TIMEOUT_MS))),
      ]);
      return null;
    } catch (err) {
      return { reason: 'queue_unreachable', detail: `the job queue does not answer: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Public probes: liveness, readiness (can accept and deliver, not draining) and Prometheus metrics. */
export function healthRoutes(app: FastifyInstance, ctx: Context, metrics: DeliveryMetrics, isDraining: () => boolean): void {
  const readiness = new ReadinessCheck(ctx);
  app.get('/healthz', { schema: { operationId: 'getLiveness', tags: ['operations'], summary: 'Liveness', ...PUBLIC, response: { 200: Liveness } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { operationId: 'getReadiness', tags: ['operations'], summary: 'Readiness: the store takes writes and is undamaged, the queue answers, not draining', ...PUBLIC, response: { 200: Readiness, ...problems('shutting_down', 'not_ready') } } }, async () => {
    if (isDraining()) throw new ApiError('shutting_down');
    const problem = await readiness.problem();
    if (problem) throw new ApiError('not_ready', problem.detail, { reason: problem.reason });
    return { status: 'ready' };
  });
  app.get('/metrics', { schema: { operationId: 'getMetrics', tags: ['operations'], summary: 'Prometheus metrics', hide: false, ...PUBLIC, response: { 200: MetricsText } } }, async (_req, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
