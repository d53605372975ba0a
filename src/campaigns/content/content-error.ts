import { ApiError } from '../../errors/api-error.ts';

export type ContentErrorCode = 'template_invalid' | 'invalid_content_language';

/** Where in the template a problem is: 1-based, as liquidjs and editors count. */
export interface TemplatePosition {
  line: number;
  column: number;
}

/**
 * Content refused when a campaign is saved, with the RFC 6901 pointer to the field at fault
 * (`/content/fr/title`) and, for a template, the line and column in it. The problem+json
 * carries the pointer as a URI fragment (`#/content/fr/title`), as the API's other
 * pointers are (RFC 9457 §3 shows them so), plus `line` and `column` when known.
 */
export class ContentError extends ApiError {
  /** RFC 6901 pointer into the request body. */
  readonly pointer: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: ContentErrorCode, pointer: string, detail: string, position?: TemplatePosition) {
    super(code, detail, { pointer: pointerFragment(pointer), ...(position ? { line: position.line, column: position.column } : {}) });
    this.name = 'ContentError';
    this.pointer = pointer;
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** `/content/fr-CA/title` -> `#/content/fr-CA/title`, each token percent-encoded (RFC 6901 §6). */
export function pointerFragment(pointer: string): string {
  return `#${pointer.split('/').map((t, i) => (i === 0 ? t : encodeURIComponent(t))).join('/')}`;
}
