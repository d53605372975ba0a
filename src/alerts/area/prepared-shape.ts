/**
 * An alert shape's parts (its rings, then its circles, in AlertShape.boxParts' numbering),
 * each as a point test prepared once per resolution: containsPoint's answer for that part,
 * at a fraction of its cost over hundreds of thousands of points.
 */
import type { AlertShape } from '../../protocol/cap/area.ts';
import { bandedRing } from './banded-shape.ts';
import { preparedCircle } from './prepared-circle.ts';

export type PointTest = (lat: number, lon: number) => boolean;

/**
 * One test per part; a point is in the shape when any part's test holds (zones aside).
 * @example const parts = preparedParts(shape); parts[shape.boxParts[0]](38.5, -120)
 */
export function preparedParts(shape: AlertShape): PointTest[] {
  return [...shape.rings.map(bandedRing), ...shape.circles.map(preparedCircle)];
}
