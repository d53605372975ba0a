/**
 * The action buttons a notification can show: every `action` id in an `actions` list of its
 * content (and of its campaign's definition, whose languages and variants may name others).
 * A click is counted per button only for these, so a browser cannot make up buttons and
 * grow the rollups without bound (an action is any string of up to 64 characters to the
 * event route); the log keeps the action as reported.
 *
 * @example actionIdsOf('{"title":"Sale","actions":[{"action":"buy","title":"Buy"}]}') // Set {'buy'}
 */
export function actionIdsOf(...json: (string | null | undefined)[]): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'actions' && Array.isArray(x)) {
        for (const a of x) if (a !== null && typeof a === 'object' && typeof (a as { action?: unknown }).action === 'string') ids.add((a as { action: string }).action);
      } else walk(x, depth + 1);
    }
  };
  for (const j of json) {
    if (!j) continue;
    try {
      walk(JSON.parse(j), 0);
    } catch {
      // Not JSON: no buttons.
    }
  }
  return ids;
}
