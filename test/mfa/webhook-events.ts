import assert from 'node:assert/strict';
import { eventually } from '../support/eventually.ts';
import { verify, type Receiver } from '../webhooks/harness.ts';

export interface MfaEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * The events the receiver got, each verified with the Standard Webhooks reference library
 * (batches opened), once `count` of them have arrived. A message delivered again under its
 * own webhook-id counts once, as the specification asks receivers to do: delivery is at
 * least once, and a test clock moved past a delivery's lease while it was in flight (the
 * expiry steps) lets another run send it again.
 */
export async function verifiedEvents(rx: Receiver, secret: string, count: number): Promise<MfaEvent[]> {
  return eventually(() => {
    const seen = new Set<string>();
    const got = rx.received.flatMap((r) => {
      const id = String(r.headers['webhook-id']);
      if (seen.has(id)) return [];
      seen.add(id);
      const p = verify(secret, r);
      return p.type === 'batch' ? p.data : [p];
    });
    assert.equal(got.length, count, JSON.stringify(got.map((p: any) => p.type)));
    return got as MfaEvent[];
  });
}

/** The one event of `type` whose `data[key]` is `id`, without its appId (checked to be `appId`). */
export function onlyEvent(events: MfaEvent[], type: string, key: string, id: string, appId: string): Record<string, unknown> {
  const found = events.filter((e) => e.type === type && e.data[key] === id);
  assert.equal(found.length, 1, `${type} of ${id}`);
  const { appId: app, ...data } = found[0]!.data;
  assert.equal(app, appId, `${type} names its app`);
  return data;
}
