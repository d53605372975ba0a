/** Typed errors of the FCM protocol code; `reason` or `field` say what failed. */
export class FcmProtocolError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A service account JSON that cannot be used; `field` names the member at fault. The message never quotes the key. */
export class InvalidServiceAccountError extends FcmProtocolError {
  static readonly code = 'fcm.invalid_service_account';
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(InvalidServiceAccountError.code, message, options);
    this.field = field;
  }
}

/** The OAuth 2 token endpoint refused the assertion or answered something unreadable (RFC 6749 §5.2). */
export class OAuthTokenError extends FcmProtocolError {
  static readonly code = 'fcm.oauth_token';
  /** HTTP status of the token endpoint's answer. */
  readonly status: number;
  /** RFC 6749 §5.2 `error`, e.g. invalid_grant; 'malformed_response' when the answer was not one. */
  readonly error: string;

  constructor(status: number, error: string, message: string) {
    super(OAuthTokenError.code, message);
    this.status = status;
    this.error = error;
  }
}
