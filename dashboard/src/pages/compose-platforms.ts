/**
 * Where each platform cuts a notification's title and body, and what it leaves out: the
 * figures of docs/dashboard.md#platform-previews, with their sources there. Observed and
 * published limits vary with the device, the font and the language; these are the ones the
 * previews hold to, so a cut shown here is a cut to expect.
 */
export type PlatformId = 'chrome-windows' | 'chrome-macos' | 'firefox' | 'android' | 'ios';

export interface Platform {
  id: PlatformId;
  /** Characters of the title shown before the ellipsis. */
  title: number;
  /** Characters of the body shown before the ellipsis. */
  body: number;
  image: boolean;
  /** Action buttons shown at most (0: none). */
  actions: number;
  icon: boolean;
}

export const PLATFORMS: Platform[] = [
  { id: 'chrome-windows', title: 70, body: 140, image: true, actions: 2, icon: true },
  { id: 'chrome-macos', title: 35, body: 80, image: false, actions: 2, icon: true },
  { id: 'firefox', title: 50, body: 200, image: false, actions: 0, icon: true },
  { id: 'android', title: 35, body: 50, image: true, actions: 2, icon: true },
  { id: 'ios', title: 50, body: 150, image: false, actions: 0, icon: false },
];

/** The text as the platform shows it: whole, or cut at `limit` characters (code points, as people count) with an ellipsis. */
export function cut(text: string, limit: number): { shown: string; cut: boolean } {
  const chars = Array.from(text);
  if (chars.length <= limit) return { shown: text, cut: false };
  return { shown: `${chars.slice(0, limit).join('').trimEnd()}…`, cut: true };
}
