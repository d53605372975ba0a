import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';
import { GEOCODE_LIMITS } from '../../alerts/geocode-validate.ts';

/** Schemas of the geocode table routes (geocodes.ts); docs/civic-alerts.md#geocode-tables. */

export const GEOCODE_TABLE_MAX_BYTES = 20 * 1024 * 1024;

export const GeocodeTableParams = Type.Object({
  appId: Id,
  valueName: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^:\\s/]+$', description: 'The geocode scheme as CAP alerts name it (SAME, FIPS6, UGC, a postcode scheme); compared in upper case' }),
});
export type GeocodeTableParams = Static<typeof GeocodeTableParams>;

export const GeocodeTableQuery = Type.Object({ codeProperty: Type.String({ minLength: 1, maxLength: 64, description: 'The feature property that holds the code' }) }, { additionalProperties: false });
export type GeocodeTableQuery = Static<typeof GeocodeTableQuery>;

// The geometry rules are checked by the handler (src/alerts/geocode-validate.ts), which names the member at fault.
export const GeocodeTableBody = Type.Object(
  { type: Type.Literal('FeatureCollection'), features: Type.Array(Type.Unknown(), { minItems: 1, maxItems: GEOCODE_LIMITS.maxFeatures }) },
  { description: 'A GeoJSON FeatureCollection (RFC 7946) of Polygon or MultiPolygon features, the code in properties[codeProperty]' },
);

export const GeocodeTable = Type.Object({
  valueName: Type.String(),
  codeProperty: Type.String(),
  codes: Type.Integer(),
  bytes: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
export const GeocodeTableList = Type.Object({ data: Type.Array(GeocodeTable) });
