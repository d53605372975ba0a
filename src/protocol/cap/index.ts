export { parseCap, CAP_MAX_BYTES, type ParseCapOptions } from './parse.ts';
export { parseCapTime } from './time.ts';
export { CapError, CapInvalidError, CapMalformedError, CapRefusedError } from './errors.ts';
export type * from './types.ts';
export { CAP_NAMESPACES } from './types.ts';
// Types only: the verifier's XML-DSig libraries load with signature.ts, at the first signed
// document checked (src/alerts/signature-check.ts), not with every user of this index.
export type { ExpiredCertificatePolicy, SignatureVerdict, SignerCertificate, VerifyCapSignatureOptions } from './signature.ts';
export { compileArea, containsPoint, matchesZone, zoneKey, distanceKm, POINT_BUFFER_KM, EARTH_RADIUS_KM, type AlertShape, type BBox, type CompileAreaOptions } from './area.ts';
