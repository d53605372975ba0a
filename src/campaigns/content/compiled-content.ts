import type { Template } from 'liquidjs';
import type { MessageContent } from '../../message/content.ts';

/** Where a field sits in a message: `['title']`, `['actions', 1, 'url']`. */
export type FieldPath = readonly (string | number)[];

/** One templated field of one language version: parsed once, rendered per recipient. */
export interface CompiledField {
  readonly path: FieldPath;
  /** The parsed template; null when the source holds no Liquid and renders as itself. */
  readonly template: Template[] | null;
  readonly source: string;
}

/** One language version, ready to render. */
export interface CompiledVersion {
  /** Canonical BCP 47 tag (`fr-CA`), as Intl.getCanonicalLocales spells it. */
  readonly language: string;
  /** The fields that take no Liquid, and the literal ones, as the message will carry them (frozen). */
  readonly base: Readonly<MessageContent>;
  /** The fields to render; empty when the version holds no Liquid at all. */
  readonly fields: readonly CompiledField[];
  /**
   * The paths into the render context this version's templates read (`['user',
   * 'attributes', 'firstName']`), none a prefix of another: equal values there mean an
   * equal rendering (renderKey).
   */
  readonly keyPaths: readonly FieldPath[];
}

/** A campaign's content parsed and checked by compileContent. Immutable; share it across renders. */
export interface CompiledContent {
  /** The versions' tags, canonical, in the order given. */
  readonly languages: readonly string[];
  readonly defaultLanguage: string;
  /** A missing variable fails the recipient (render_failed) instead of rendering blank. */
  readonly strict: boolean;
  readonly versions: ReadonlyMap<string, CompiledVersion>;
}
