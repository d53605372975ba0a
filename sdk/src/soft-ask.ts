/**
 * The soft-ask: the site's own question, shown before the browser's permission prompt. A
 * "not now" here costs nothing, while a "Block" in the browser's prompt is final for the
 * site; so the browser's prompt is shown only to people who said yes.
 */
export interface SoftAskOptions {
  /** The question, in the site's words: "Get a message when your order ships?" */
  title: string;
  body?: string;
  /** Label of the button that goes on to the browser's prompt. Default "Allow". */
  accept?: string;
  /** Label of the button that closes it. Default "Not now". */
  dismiss?: string;
  /** ms; after a dismissal, how long before `prompt()` shows it again. Default 7 days. */
  delay?: number;
}

/** ms; a week: asking again on the next page view reads as nagging, and Chromium blocks sites that are dismissed often. */
export const DEFAULT_SOFT_ASK_DELAY = 7 * 86_400_000;

/** True when the soft-ask may be shown: never dismissed, or dismissed at least `delay` ago. */
export function softAskDue(dismissedAt: number | undefined, now: number, delay: number): boolean {
  return dismissedAt === undefined || now >= dismissedAt + delay;
}

export type SoftAskAnswer = { accepted: false } | { accepted: true; permission: Promise<NotificationPermission> };

const STYLE = `
:host { all: initial; }
[part=dialog] { position: fixed; z-index: 2147483647; top: 16px; left: 50%; transform: translateX(-50%);
  box-sizing: border-box; width: min(420px, calc(100vw - 32px)); padding: 16px 20px; border-radius: 12px;
  background: #fff; color: #111; box-shadow: 0 8px 32px rgba(0,0,0,.25); font: 15px/1.4 system-ui, sans-serif; }
[part=title] { margin: 0 0 4px; font-size: 16px; font-weight: 600; }
[part=body] { margin: 0 0 12px; }
[part=buttons] { display: flex; gap: 8px; justify-content: flex-end; }
button { font: inherit; padding: 6px 14px; border-radius: 8px; border: 1px solid #888; background: #fff; color: #111; cursor: pointer; }
[part=accept] { background: #1a56db; border-color: #1a56db; color: #fff; }
`;

/**
 * Shows the soft-ask and resolves with the answer. On "accept", `askBrowser` runs inside
 * the click handler itself: Firefox and Safari show their prompt only during a user's click.
 * Sites restyle it with `carillon-soft-ask::part(dialog|title|body|accept|dismiss)`.
 */
export function showSoftAsk(options: SoftAskOptions, askBrowser: () => Promise<NotificationPermission>): Promise<SoftAskAnswer> {
  return new Promise((resolve) => {
    const host = document.createElement('carillon-soft-ask');
    const root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    const dialog = element('div', 'dialog');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-labelledby', 'title');
    const title = element('p', 'title', options.title);
    title.id = 'title';
    dialog.append(title);
    if (options.body) dialog.append(element('p', 'body', options.body));
    const buttons = element('div', 'buttons');
    const dismiss = element('button', 'dismiss', options.dismiss ?? 'Not now');
    const accept = element('button', 'accept', options.accept ?? 'Allow');
    buttons.append(dismiss, accept);
    dialog.append(buttons);
    root.append(style, dialog);

    const close = () => {
      host.remove();
      document.removeEventListener('keydown', onKey);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      close();
      resolve({ accepted: false });
    };
    dismiss.addEventListener('click', () => {
      close();
      resolve({ accepted: false });
    });
    accept.addEventListener('click', () => {
      const permission = askBrowser();
      close();
      resolve({ accepted: true, permission });
    });
    document.addEventListener('keydown', onKey);
    document.body.append(host);
  });
}

function element(tag: string, part: string, text?: string): HTMLElement {
  const el = document.createElement(tag);
  el.setAttribute('part', part);
  // textContent, never innerHTML: the words may come from a CMS.
  if (text !== undefined) el.textContent = text;
  return el;
}
