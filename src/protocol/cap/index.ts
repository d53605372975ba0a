export { parseCap, CAP_MAX_BYTES, type ParseCapOptions } from './parse.ts';
export { parseCapTime } from './time.ts';
export { CapError, CapInvalidError, CapMalformedError, CapRefusedError } from './errors.ts';
export type * from './types.ts';
export { CAP_NAMESPACES } from './types.ts';
export { verifyCapSignature, type ExpiredCertificatePolicy, type SignatureVerdict, type SignerCertificate, type VerifyCapSignatureOptions } from './signature.ts';
export { compileArea, containsPoint, matchesZone, zoneKey, distanceKm, POINT_BUFFER_KM, EARTH_RADIUS_KM, type AlertShape, type BBox, type CompileAreaOptions } from './area.ts';
