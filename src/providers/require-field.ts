import { ApiError } from '../errors/api-error.ts';

/**
 * A subscription field its channel cannot do without (`endpoint` for webpush, `token` for
 * apns and fcm): the shared schema makes them optional, so each channel asks for its own.
 */
export function requireField(channel: string, path: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new ApiError('invalid_request', `${path} is required for channel ${channel}`, { errors: [{ field: `body.${path}`, message: 'is required' }] });
  }
  return value;
}
