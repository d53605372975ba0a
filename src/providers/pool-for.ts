import type { Http2Pool } from '../transport/http2-pool.ts';
import type { OutgoingMessage } from './channel.ts';

/**
 * The HTTP/2 sessions a message goes over: the urgent lane's, of its own connections and
 * stream slots, for a message the deliver job ran as urgent (`lane`), else the shared ones
 * a broadcast fills (docs/civic-alerts.md#first-in-line).
 */
export function poolFor(message: OutgoingMessage, pools: { pool: Http2Pool; urgentPool?: Http2Pool }): Http2Pool {
  return message.lane === 'urgent' && pools.urgentPool ? pools.urgentPool : pools.pool;
}
