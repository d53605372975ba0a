import { ApiError } from '../../errors/api-error.ts';

export type TimingErrorCode = 'invalid_schedule' | 'invalid_quiet_hours';

/**
 * A schedule or quiet-hours window refused, with the RFC 6901 pointer to the member at
 * fault. `pointer` is the plain pointer (`/schedule/recurring/cron`), for code; the
 * problem's `pointer` member is the same as a URI fragment (`#/schedule/recurring/cron`,
 * RFC 6901 §6), as the API's other problems carry it (RFC 9457 §3).
 */
export class TimingError extends ApiError {
  readonly pointer: string;

  constructor(code: TimingErrorCode, pointer: string, detail: string, extra: Record<string, unknown> = {}) {
    super(code, detail, { pointer: pointerFragment(pointer), ...extra });
    this.name = 'TimingError';
    this.pointer = pointer;
  }
}

/** `["recurring", "cron"]` under `/schedule` -> `/schedule/recurring/cron` (RFC 6901 §3 escapes). */
export function pointerJoin(base: string, ...tokens: (string | number)[]): string {
  return base + tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function pointerFragment(pointer: string): string {
  return `#${pointer.split('/').map((t, i) => (i === 0 ? t : encodeURIComponent(t))).join('/')}`;
}
