/**
 * How the port's job fields map onto BullMQ's, as pure functions (tested beside this file).
 */
import { PRIORITY } from './queue.ts';

/** The BullMQ queue of each lane: urgent jobs have a queue, and workers, of their own. */
export const LANE_QUEUES = { normal: 'jobs', urgent: 'jobs-urgent' } as const;
export type Lane = keyof typeof LANE_QUEUES;

/**
 * The lane of a job: PRIORITY.urgent or more is urgent (the port's urgentSlots rule).
 * A retried job keeps its BullMQ queue, and a follow-up job inherits its priority, so
 * both stay in the lane.
 */
export function laneOf(priority: number | undefined): Lane {
  return (priority ?? 0) >= PRIORITY.urgent ? 'urgent' : 'normal';
}

/** BullMQ's ceiling on `priority` (2^21): the priority and an insertion counter share one 53-bit sorted-set score. */
const PRIORITY_LIMIT = 2 ** 21;
/** Our priority 0 sits in the middle of BullMQ's range, so that both directions have room. */
const PRIORITY_MIDDLE = 2 ** 20;

/**
 * Our priorities say "higher runs first"; BullMQ's say "lower runs first", and 0 means
 * none at all, which BullMQ serves *before* every prioritized job (its wait list is read
 * first). So every job gets a BullMQ priority of at least 1, mirrored around the middle:
 * `bullmqPriority(PRIORITY.urgent) < bullmqPriority(PRIORITY.normal)`.
 */
export function bullmqPriority(priority: number): number {
  return Math.min(PRIORITY_LIMIT, Math.max(1, PRIORITY_MIDDLE - Math.trunc(priority)));
}

/** The inverse of bullmqPriority, for the priority a handler sees (follow-up jobs inherit it). */
export function portPriority(bullmq: number | undefined): number {
  return bullmq ? PRIORITY_MIDDLE - bullmq : 0;
}

/**
 * A dedupe key as a BullMQ job id. BullMQ refuses ids that read as integers ("Custom Id
 * cannot be integers") and ids with one or more than two colons (its repeatable-job
 * format), while our keys look like `deliver:42`. The mapping must stay one-to-one, or two
 * keys would dedupe each other: `%` and `:` are percent-encoded, and an id that would
 * read as an integer gets a `%d` prefix, which encoding never produces.
 */
export function bullmqJobId(key: string): string {
  // An empty id would make BullMQ pick one, and the dedupe would silently stop.
  if (key === '') return '%e';
  const id = key.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
  return `${parseInt(id, 10)}` === id ? `%d${id}` : id;
}

/**
 * The id the port shows for a job of a lane. Each BullMQ queue counts its own ids, so an
 * urgent job's is marked with a colon, which normal ids never hold (bullmqJobId encodes
 * colons; BullMQ's own ids are integers).
 */
export function portJobId(lane: Lane, id: string): string {
  return lane === 'urgent' ? `urgent:${id}` : id;
}

/** The inverse of portJobId. */
export function laneJobId(portId: string): { lane: Lane; id: string } {
  return portId.startsWith('urgent:') ? { lane: 'urgent', id: portId.slice('urgent:'.length) } : { lane: 'normal', id: portId };
}
