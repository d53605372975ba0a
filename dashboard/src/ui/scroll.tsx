import type { ReactNode } from 'react';

/**
 * A wide table that scrolls sideways on a phone: a named region that takes the focus, so
 * that the keyboard can scroll it too (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
