import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** A curated set, bundled (nothing is fetched): what marketing and service notifications use most. */
const EMOJI: [string, string, string][] = [
  ['🎉', 'party popper', 'cotillons'],
  ['🔥', 'fire', 'feu'],
  ['⭐', 'star', 'étoile'],
  ['❤️', 'red heart', 'cœur rouge'],
  ['👍', 'thumbs up', 'pouce levé'],
  ['👋', 'waving hand', 'main qui salue'],
  ['😀', 'grinning face', 'visage souriant'],
  ['😍', 'heart eyes', 'yeux en cœur'],
  ['🤩', 'star-struck', 'visage avec étoiles'],
  ['🙏', 'thank you', 'merci'],
  ['✅', 'check mark', 'coche'],
  ['⚠️', 'warning', 'avertissement'],
  ['🚨', 'siren', 'gyrophare'],
  ['⏰', 'alarm clock', 'réveil'],
  ['📣', 'megaphone', 'mégaphone'],
  ['🔔', 'bell', 'cloche'],
  ['🎁', 'gift', 'cadeau'],
  ['🛒', 'shopping cart', 'chariot'],
  ['💸', 'money with wings', 'billet avec des ailes'],
  ['🏷️', 'label', 'étiquette'],
  ['📦', 'package', 'colis'],
  ['🚚', 'delivery truck', 'camion de livraison'],
  ['🌷', 'tulip', 'tulipe'],
  ['☀️', 'sun', 'soleil'],
];
const COLUMNS = 6;

/**
 * An emoji button that opens a grid of the curated set. The keyboard moves in the grid with
 * the arrow keys (Home and End to the row's ends), Enter or Space inserts, Escape closes and
 * gives the focus back to the button. `onPick` gets the emoji.
 */
export function EmojiPicker({ onPick, label }: { onPick: (emoji: string) => void; label: string }) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState(0);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const cells = useRef<(HTMLButtonElement | null)[]>([]);
  useEffect(() => {
    if (open) cells.current[at]?.focus();
  }, [open, at]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    if (e.key in moves) {
      e.preventDefault();
      setAt((a) => Math.min(EMOJI.length - 1, Math.max(0, a + moves[e.key]!)));
    } else if (e.key === 'Home') {
      e.preventDefault();
      setAt((a) => a - (a % COLUMNS));
    } else if (e.key === 'End') {
      e.preventDefault();
      setAt((a) => Math.min(EMOJI.length - 1, a - (a % COLUMNS) + COLUMNS - 1));
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  };
  return (
    <div className="emoji">
      <button type="button" className="secondary" ref={button} aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">😀</span> {label}
      </button>
      {open && (
        <div id={id} className="emoji-grid" role="group" aria-label={t('compose.emoji.grid')} onKeyDown={onKey}>
          {EMOJI.map(([e, en, fr], i) => (
            <button
              key={e}
              type="button"
              className="emoji-cell"
              ref={(el) => {
                cells.current[i] = el;
              }}
              tabIndex={i === at ? 0 : -1}
              aria-label={language === 'fr' ? fr : en}
              onClick={() => {
                onPick(e);
                close();
              }}
            >
              {e}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
