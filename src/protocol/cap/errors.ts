/**
 * Typed errors of the CAP code. Each carries a stable `code` (mapped to the API's
 * catalogue in src/errors/protocol-errors.ts), a `reason` saying which check failed and,
 * where one applies, `element`: the path of the element at fault, written
 * `/alert/info[0]/area[1]/polygon[0]` (repeatable elements carry their index among
 * siblings of the same name, counted from 0). Callers decide from these fields, never from
 * message text.
 */
export class CapError extends Error {
  readonly code: string;
  readonly reason: string;
  readonly element: string | undefined;

  constructor(code: string, reason: string, message: string, element?: string, options?: ErrorOptions) {
    super(element !== undefined ? `${element}: ${message}` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.element = element;
  }
}

export type CapRefusedReason =
  | 'doctype' // a DTD: the door to external entities (XXE) and entity expansion (billion laughs)
  | 'entity' // a reference to an entity XML does not predefine
  | 'too_large' // more bytes than the caller allows
  | 'too_deep'; // elements nested deeper than any CAP document needs

/** A document refused for what it could do to the reader, before anything in it is used. */
export class CapRefusedError extends CapError {
  static readonly code = 'cap.refused';
  constructor(reason: CapRefusedReason, message: string, element?: string) {
    super(CapRefusedError.code, reason, message, element);
  }
}

/** Bytes that are not well-formed XML 1.0 (or not UTF-8). */
export class CapMalformedError extends CapError {
  static readonly code = 'cap.malformed';
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, position?: { line: number; column: number }, options?: ErrorOptions) {
    super(
      CapMalformedError.code,
      'xml',
      position ? `${message} (line ${position.line}, column ${position.column})` : message,
      undefined,
      options,
    );
    this.line = position?.line;
    this.column = position?.column;
  }
}

export type CapInvalidReason =
  | 'root' // the document element is not <alert>
  | 'namespace' // <alert> is not in the CAP 1.2 (or 1.1) namespace
  | 'missing' // a required element is absent or empty
  | 'duplicate' // an element that may occur once occurs again
  | 'enumeration' // a value outside CAP's closed list
  | 'format'; // a value that does not have CAP's form (time, coordinates, identifier)

/** Well-formed XML that is not a CAP 1.2 alert (OASIS CAP-v1.2 §3 and its schema). */
export class CapInvalidError extends CapError {
  static readonly code = 'cap.invalid';
  constructor(reason: CapInvalidReason, message: string, element: string) {
    super(CapInvalidError.code, reason, message, element);
  }
}
