import { ApiError } from '../errors/api-error.ts';
import { checkEndpointUrl, EndpointRejectedError } from '../transport/index.ts';

/**
 * A webhook URL passes the push endpoint rule (src/transport/endpoint-url.ts): https, no
 * credentials or fragment, no non-public IP literal or localhost. A name is checked again
 * on the address connected to, at each attempt (./sender.ts), so DNS rebinding cannot pass.
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string {
  try {
    return checkEndpointUrl(raw, { allowPrivate }).href;
  } catch (err) {
    if (err instanceof EndpointRejectedError) {
      throw new ApiError('webhook_url_rejected', `url: ${err.message}`, { reason: err.reason, pointer: '#/url' });
    }
    throw err;
  }
}
