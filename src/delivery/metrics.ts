import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Outcome } from '../providers/outcome.ts';
import type { Queue } from '../queue/queue.ts';

/** Prometheus metrics of the delivery pipeline, on their own registry (one per server). */
export class DeliveryMetrics {
  readonly registry = new Registry();
  readonly #outcomes: Counter<'outcome' | 'provider'>;
  readonly #batchSeconds: Histogram;
  readonly #latency: Histogram;
  readonly #acks: Counter<'code'>;
  readonly #faults: Counter<'fault' | 'provider'>;

  constructor(queue: Queue) {
    collectDefaultMetrics({ register: this.registry, prefix: 'carillon_process_' });
    this.#outcomes = new Counter({
      name: 'carillon_push_outcomes_total',
      help: 'Push messages sent, by outcome (delivered, retry, gone, rejected, throttled)',
      labelNames: ['outcome', 'provider'],
      registers: [this.registry],
    });
    this.#faults = new Counter({
      name: 'carillon_push_fault_failures_total',
      help: "Push messages failed at once, without retry, because the app's credentials cannot be used (a sealed secret that does not open, a key that does not parse, a provider refusing our token)",
      labelNames: ['fault', 'provider'],
      registers: [this.registry],
    });
    this.#batchSeconds = new Histogram({
      name: 'carillon_batch_send_seconds',
      help: 'Time to encrypt and send one delivery batch',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.#latency = new Histogram({
      name: 'carillon_delivery_latency_seconds',
      help: 'From when a notification was due to when a push service accepted it, per recipient',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
      registers: [this.registry],
    });
    this.#acks = new Counter({
      name: 'carillon_push_service_acks_total',
      help: "Acks from browsers of Carillon's own push service: 100 shown, 101 decryption failed, 102 not delivered",
      labelNames: ['code'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'carillon_queue_jobs',
      help: 'Jobs in the delivery queue, by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const d = await queue.depth();
        for (const [state, value] of Object.entries(d)) this.set({ state }, value);
      },
    });
  }

  observeOutcomes(provider: string, outcomes: Outcome[]): void {
    for (const o of outcomes) {
      this.#outcomes.inc({ outcome: o.kind, provider });
      if (o.kind === 'rejected' && o.fault) this.#faults.inc({ fault: o.fault, provider });
    }
  }

  observeAck(code: number): void {
    this.#acks.inc({ code: String(code) });
  }

  observeBatch(seconds: number): void {
    this.#batchSeconds.observe(seconds);
  }

  observeLatency(seconds: number, count: number): void {
    for (let i = 0; i < count; i++) this.#latency.observe(seconds);
  }
}
