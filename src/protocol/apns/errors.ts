/**
 * Typed errors of the APNs protocol code. `reason` says which check failed, so callers
 * decide from data, never from message text.
 */
export class ApnsProtocolError extends Error {
  readonly code: string;
  readonly reason: string;

  constructor(code: string, reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
  }
}

/** A token signing key (.p8), key id or team id that cannot be used. */
export class InvalidApnsKeyError extends ApnsProtocolError {
  static readonly code = 'apns.invalid_key';
  constructor(reason: 'format' | 'curve' | 'key_id' | 'team_id', message: string, options?: ErrorOptions) {
    super(InvalidApnsKeyError.code, reason, message, options);
  }
}

/** A device token that is not what iOS hands to `didRegisterForRemoteNotificationsWithDeviceToken`. */
export class InvalidDeviceTokenError extends ApnsProtocolError {
  static readonly code = 'apns.invalid_device_token';
  constructor(reason: 'format' | 'length', message: string) {
    super(InvalidDeviceTokenError.code, reason, message);
  }
}

/** A header value APNs would refuse (BadCollapseId, BadTopic). */
export class InvalidApnsHeaderError extends ApnsProtocolError {
  static readonly code = 'apns.invalid_header';
  constructor(reason: 'collapse_id' | 'topic', message: string) {
    super(InvalidApnsHeaderError.code, reason, message);
  }
}
