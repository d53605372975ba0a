/** Web Push protocol code: RFC 8188, RFC 8291, RFC 8292 and RFC 8030 header rules. */
export * from './errors.ts';
export { decodeBase64url, encodeBase64url } from './base64url.ts';
export * from './keys.ts';
export {
  CEK_INFO,
  NONCE_INFO,
  decryptAes128gcm,
  deriveContentKeys,
  encryptAes128gcm,
  type EncryptAes128gcmOptions,
  type RecordPlan,
} from './aes128gcm.ts';
export {
  KEY_INFO_PREFIX,
  MAX_BODY_BYTES,
  MAX_PLAINTEXT_BYTES,
  WEBPUSH_HEADER_BYTES,
  decryptWebPush,
  deriveWebPushIkm,
  encryptWebPush,
  encryptedBodyLength,
  maxPlaintextBytes,
  type DecryptWebPushOptions,
  type EncryptWebPushOptions,
} from './ece.ts';
export * from './vapid.ts';
export * from './headers.ts';
