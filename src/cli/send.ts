import { ProgressBar } from './progress.ts';

export interface SendOptions {
  server: string;
  app: string;
  key: string;
  title: string;
  body?: string;
  url?: string;
  icon?: string;
  image?: string;
  all?: boolean;
  user?: string[];
  tag?: string[];
  subscription?: string[];
  ttl?: string;
  urgency?: string;
  topic?: string;
  idempotencyKey?: string;
  wait: boolean;
  json?: boolean;
}

function target(opts: SendOptions): Record<string, unknown> {
  const chosen = [opts.all, opts.user?.length, opts.tag?.length, opts.subscription?.length].filter(Boolean).length;
  if (chosen !== 1) throw new Error('choose exactly one audience: --all, --user, --tag or --subscription');
  if (opts.all) return { all: true };
  if (opts.user?.length) return { userIds: opts.user };
  if (opts.subscription?.length) return { subscriptionIds: opts.subscription };
  const tags: Record<string, string> = {};
  for (const t of opts.tag!) {
    const i = t.indexOf('=');
    if (i < 1) throw new Error(`--tag expects key=value, got "${t}"`);
    tags[t.slice(0, i)] = t.slice(i + 1);
  }
  return { tags };
}

async function call(opts: SendOptions, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(new URL(path, opts.server), {
    method,
    headers: { authorization: `Bearer ${opts.key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${res.status} ${json.code ?? ''}: ${json.detail ?? text}`);
  return json;
}

/**
 * `carillon send`: posts a notification through the API of a running server, then follows
 * its delivery with a progress bar until every recipient is delivered or accounted for.
 */
export async function send(opts: SendOptions): Promise<number> {
  const payload: Record<string, unknown> = { to: target(opts), title: opts.title };
  for (const k of ['body', 'url', 'icon', 'image', 'urgency', 'topic'] as const) if (opts[k] !== undefined) payload[k] = opts[k];
  if (opts.ttl !== undefined) payload.ttl = Number(opts.ttl);
  const headers = opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : undefined;
  const { id } = await call(opts, 'POST', `/v1/apps/${encodeURIComponent(opts.app)}/notifications`, payload, headers);
  process.stderr.write(`accepted: ${id}\n`);
  if (!opts.wait) {
    if (opts.json) process.stdout.write(`${JSON.stringify({ id })}\n`);
    return 0;
  }
  const bar = new ProgressBar();
  for (;;) {
    const s = await call(opts, 'GET', `/v1/apps/${encodeURIComponent(opts.app)}/notifications/${id}`);
    const c = s.counts;
    const accounted = c.delivered + c.failed + c.expired + c.pruned;
    bar.update(accounted, c.targeted, `delivered ${c.delivered}, failed ${c.failed}, pruned ${c.pruned}, expired ${c.expired} (${s.status})`);
    if (s.status === 'completed' || s.status === 'cancelled') {
      bar.finish();
      process.stdout.write(opts.json ? `${JSON.stringify(s)}\n` : `${id}: ${s.status}; ${JSON.stringify(c)}\n`);
      return c.failed > 0 ? 2 : 0;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
