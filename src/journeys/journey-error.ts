import { ApiError } from '../errors/api-error.ts';

/** RFC 6901 pointer as a URI fragment (RFC 6901 §6), the form the API's problems carry. */
export function fragment(pointer: string): string {
  return `#${pointer.split('/').map((t, i) => (i === 0 ? t : encodeURIComponent(t.replaceAll('~', '~0').replaceAll('/', '~1')))).join('/')}`;
}

/** A member of a journey refused: `invalid_journey` (400) with the pointer into the request body. */
export class JourneyError extends ApiError {
  readonly pointer: string;

  constructor(pointer: string, detail: string) {
    super('invalid_journey', `${pointer || '/'}: ${detail}`, { pointer: fragment(pointer) });
    this.name = 'JourneyError';
    this.pointer = pointer;
  }
}
