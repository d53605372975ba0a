/**
 * Typed errors of the Web Push protocol code (RFC 8188, RFC 8291, RFC 8292,
 * RFC 8030). Each class carries a stable `code` that the error catalogue and
 * the API's problem+json answers can rely on; `reason` (where present) says
 * which check failed, so callers decide from data and never from message text.
 */

export class ProtocolError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Text that is not base64url (RFC 4648 §5), or not its canonical form. */
export class InvalidBase64urlError extends ProtocolError {
  static readonly code = 'webpush.invalid_base64url';

  constructor(message: string, options?: ErrorOptions) {
    super(InvalidBase64urlError.code, message, options);
  }
}

export type InvalidKeyReason = 'encoding' | 'length' | 'format' | 'not_on_curve' | 'mismatch';

/** A P-256 key that cannot be used: wrong encoding, size, or not a curve point. */
export class InvalidKeyError extends ProtocolError {
  static readonly code = 'webpush.invalid_key';
  readonly reason: InvalidKeyReason;

  constructor(reason: InvalidKeyReason, message: string, options?: ErrorOptions) {
    super(InvalidKeyError.code, message, options);
    this.reason = reason;
  }
}

/** The subscription's `auth` secret is not 16 octets (RFC 8291 §3.2). */
export class InvalidAuthSecretError extends ProtocolError {
  static readonly code = 'webpush.invalid_auth_secret';
  readonly reason: 'encoding' | 'length';

  constructor(reason: 'encoding' | 'length', message: string, options?: ErrorOptions) {
    super(InvalidAuthSecretError.code, message, options);
    this.reason = reason;
  }
}

/** The encrypted body would exceed what a push service must accept (RFC 8030 §7.2). */
export class PayloadTooLargeError extends ProtocolError {
  static readonly code = 'webpush.payload_too_large';
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(PayloadTooLargeError.code, `encrypted body of ${size} bytes exceeds the ${limit}-byte limit`);
    this.size = size;
    this.limit = limit;
  }
}

/** A caller passed encryption parameters the content coding cannot express. */
export class EncryptionParameterError extends ProtocolError {
  static readonly code = 'webpush.invalid_encryption_parameter';
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(EncryptionParameterError.code, message);
    this.parameter = parameter;
  }
}

export type DecryptFailureReason =
  | 'header' // shorter than its own header
  | 'record_size' // rs below the RFC 8188 §2.1 minimum
  | 'keyid' // keyid is not the sender's P-256 public key (RFC 8291 §4)
  | 'record' // a record too short to hold a tag and a delimiter, or more than one record in a Web Push message
  | 'authentication' // the AES-GCM tag does not verify: wrong keys or altered bytes
  | 'padding' // no delimiter, or the wrong delimiter (RFC 8188 §2)
  | 'truncated'; // the last record present is not marked final (RFC 8188 §2)

/** An aes128gcm body that could not be decrypted or was malformed once decrypted. */
export class DecryptError extends ProtocolError {
  static readonly code = 'webpush.decrypt_failed';
  readonly reason: DecryptFailureReason;

  constructor(reason: DecryptFailureReason, message: string, options?: ErrorOptions) {
    super(DecryptError.code, message, options);
    this.reason = reason;
  }
}

/** A `Topic` header value outside RFC 8030 §5.4. */
export class InvalidTopicError extends ProtocolError {
  static readonly code = 'webpush.invalid_topic';

  constructor(message: string) {
    super(InvalidTopicError.code, message);
  }
}

/** A `TTL` value that is not delta-seconds (RFC 8030 §5.2). */
export class InvalidTtlError extends ProtocolError {
  static readonly code = 'webpush.invalid_ttl';

  constructor(message: string) {
    super(InvalidTtlError.code, message);
  }
}

/** An `Urgency` value outside RFC 8030 §5.3. */
export class InvalidUrgencyError extends ProtocolError {
  static readonly code = 'webpush.invalid_urgency';

  constructor(message: string) {
    super(InvalidUrgencyError.code, message);
  }
}

export type VapidSubjectReason = 'scheme' | 'format' | 'localhost';

/** A VAPID `sub` that push services refuse (RFC 8292 §2.1). */
export class VapidSubjectError extends ProtocolError {
  static readonly code = 'vapid.invalid_subject';
  readonly reason: VapidSubjectReason;

  constructor(reason: VapidSubjectReason, message: string) {
    super(VapidSubjectError.code, message);
    this.reason = reason;
  }
}

/** A VAPID key pair that is malformed or whose halves do not belong together. */
export class VapidKeyError extends ProtocolError {
  static readonly code = 'vapid.invalid_key';
  readonly reason: InvalidKeyReason;

  constructor(reason: InvalidKeyReason, message: string, options?: ErrorOptions) {
    super(VapidKeyError.code, message, options);
    this.reason = reason;
  }
}

/** A VAPID `aud` that is not an origin (RFC 8292 §2: the push resource's origin). */
export class VapidAudienceError extends ProtocolError {
  static readonly code = 'vapid.invalid_audience';

  constructor(message: string) {
    super(VapidAudienceError.code, message);
  }
}

export type VapidTokenReason =
  | 'format'
  | 'algorithm'
  | 'key'
  | 'signature'
  | 'audience'
  | 'expired'
  | 'expiry_too_far'
  | 'key_mismatch';

/** An `Authorization: vapid ...` header that a push service must refuse (RFC 8292 §3, §4). */
export class VapidTokenError extends ProtocolError {
  static readonly code = 'vapid.invalid_token';
  readonly reason: VapidTokenReason;

  constructor(reason: VapidTokenReason, message: string, options?: ErrorOptions) {
    super(VapidTokenError.code, message, options);
    this.reason = reason;
  }
}
