import type { JourneyDefinition, Step } from './journey-definition.ts';

/**
 * A run's position is a JSON pointer (RFC 6901) to a step in its version's definition:
 * `/steps/0`, `/steps/2/waitFor/matched/1`, `/steps/3/split/paths/1/steps/0`. The pointer
 * is what the timeline shows and what validation errors name, so a step has one name.
 */

/** The step a position names, or undefined when the definition has none there. */
export function stepAt(def: JourneyDefinition, position: string): Step | undefined {
  let node: unknown = def;
  for (const token of position.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node && typeof node === 'object' && !Array.isArray(node) ? (node as Step) : undefined;
}

/** The first step of a list at `listPointer`, or where the run goes when the list is empty. */
export function enterList(def: JourneyDefinition, listPointer: string): string | null {
  const list = listAt(def, listPointer);
  if (list && list.length > 0) return `${listPointer}/0`;
  return afterList(def, listPointer);
}

/**
 * Where a run goes after the step at `position`: the next step of its list; at the end of a
 * nested list (a branch's `then`, a waitFor's `matched`, a split's path), the step after
 * the one that holds the list, so branches join again; null at the end of the journey.
 */
export function nextPosition(def: JourneyDefinition, position: string): string | null {
  const tokens = position.split('/');
  const index = Number(tokens.pop());
  const listPointer = tokens.join('/');
  const list = listAt(def, listPointer);
  if (list && index + 1 < list.length) return `${listPointer}/${index + 1}`;
  return afterList(def, listPointer);
}

function afterList(def: JourneyDefinition, listPointer: string): string | null {
  if (listPointer === '/steps') return null;
  // /steps/2/waitFor/matched -> /steps/2; /steps/3/split/paths/1/steps -> /steps/3.
  const tokens = listPointer.split('/');
  const owner = tokens.at(-3) === 'paths' ? tokens.slice(0, -4) : tokens.slice(0, -2);
  return nextPosition(def, owner.join('/'));
}

function listAt(def: JourneyDefinition, pointer: string): Step[] | undefined {
  let node: unknown = def;
  for (const token of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return Array.isArray(node) ? (node as Step[]) : undefined;
}
