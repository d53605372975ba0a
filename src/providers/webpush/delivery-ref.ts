/**
 * The delivery reference: what lets Carillon's own push service report a browser's failed
 * ack (src/delivery/unshown.ts) for the notification and subscription it belongs to.
 *
 * The reference is `<notification id>.<subscription id>.<tag>`, sent in the
 * Carillon-Delivery header to Carillon's own endpoints only. The tag (a MAC under the
 * master key) keeps anyone who can post to an endpoint from charging failures to a
 * notification of their choosing.
 */
import type { SecretBox } from '../../crypto/secret-box.ts';
import { hashEndpointToken, isEndpointToken } from '../../push-service/identifiers.ts';
import type { Recipient } from '../channel.ts';

const MAC_CONTEXT = 'push-service:delivery-ref';
const ID = '[A-Za-z]+_[A-Za-z0-9_-]{1,64}';
const REF = new RegExp(`^(${ID})\\.(${ID})\\.([A-Za-z0-9_-]{22})$`);
const ENDPOINT_PATH = '/push/';

/** The token of an endpoint of a Carillon push service (`…/push/<token>`), or null: only these get a reference. */
export function carillonEndpointToken(endpoint: string): string | null {
  const at = endpoint.lastIndexOf(ENDPOINT_PATH);
  const token = at >= 0 ? endpoint.slice(at + ENDPOINT_PATH.length) : '';
  return isEndpointToken(token) ? token : null;
}

/**
 * The reference for one message to one endpoint. The tag also covers the endpoint (by the
 * hash its push service keeps), so a reference holds only for the endpoint it was made
 * for: one seen by another push service cannot be replayed to charge a failure.
 */
export function signDeliveryRef(secrets: SecretBox, notificationId: string, subscriptionId: string, endpointToken: string): string {
  const data = `${notificationId}.${subscriptionId}`;
  return `${data}.${secrets.mac(`${data}.${hashEndpointToken(endpointToken)}`, MAC_CONTEXT)}`;
}

/** The notification and subscription a reference names, or null when Carillon did not sign it for this endpoint. */
export function readDeliveryRef(secrets: SecretBox, ref: string, endpointTokenHash: string): { notificationId: string; subscriptionId: string } | null {
  const m = REF.exec(ref);
  if (!m || !secrets.verifyMac(`${m[1]}.${m[2]}.${endpointTokenHash}`, MAC_CONTEXT, m[3]!)) return null;
  return { notificationId: m[1]!, subscriptionId: m[2]! };
}

/** The sender's `deliveryRef`: a reference for recipients on a Carillon push service, undefined for the others. */
export function deliveryRefs(secrets: SecretBox): (notificationId: string, recipient: Recipient) => string | undefined {
  return (notificationId, r) => {
    const token = carillonEndpointToken(r.address);
    return token === null ? undefined : signDeliveryRef(secrets, notificationId, r.id, token);
  };
}
