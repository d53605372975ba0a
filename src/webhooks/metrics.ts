import { Counter, Histogram, type Registry } from 'prom-client';

/** Prometheus metrics of outgoing webhooks, on the server's registry (src/delivery/metrics.ts makes it). */
export class WebhookMetrics {
  readonly #attempts: Counter<'endpoint' | 'status'>;
  readonly #failures: Counter<'endpoint' | 'status'>;
  readonly #lag: Histogram;

  constructor(registry: Registry) {
    this.#attempts = new Counter({
      name: 'carillon_webhook_attempts_total',
      help: 'Webhook requests made, by endpoint id and HTTP status (timeout, error or rejected when none came)',
      labelNames: ['endpoint', 'status'],
      registers: [registry],
    });
    this.#failures = new Counter({
      name: 'carillon_webhook_failures_total',
      help: 'Webhook attempts that failed (not 2xx), by endpoint id and status',
      labelNames: ['endpoint', 'status'],
      registers: [registry],
    });
    this.#lag = new Histogram({
      name: 'carillon_webhook_event_lag_seconds',
      help: 'From when an event happened to when a webhook carrying it was sent',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 7200, 86_400],
      registers: [registry],
    });
  }

  observeAttempt(endpoint: string, status: string, ok: boolean, lagMs: number): void {
    this.#attempts.inc({ endpoint, status });
    if (!ok) this.#failures.inc({ endpoint, status });
    this.#lag.observe(Math.max(0, lagMs) / 1000);
  }
}
