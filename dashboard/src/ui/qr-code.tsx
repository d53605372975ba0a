import qrcode from 'qrcode-generator';
import { useMemo } from 'react';

/** Modules of white around the code: ISO/IEC 18004 §6.3.8 asks for four. */
const QUIET_ZONE = 4;

/**
 * The dark modules of `text`'s QR code as one SVG path (a unit square per module), with the
 * module count. Byte mode and error correction M (15 % of the code may be unreadable): an
 * otpauth:// URI of some 100 characters makes a version 5 or 6 code, easily read on a screen.
 */
export function qrPath(text: string): { size: number; d: string } {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const size = qr.getModuleCount();
  let d = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) if (qr.isDark(row, col)) d += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
  }
  return { size, d };
}

/**
 * A QR code drawn as an inline SVG element (no script, no data: image, nothing the
 * dashboard's Content-Security-Policy refuses). Black on white whatever the colour scheme:
 * readers expect dark modules on a light ground, and the white quiet zone sets it apart.
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { size, d } = useMemo(() => qrPath(text), [text]);
  const side = size + 2 * QUIET_ZONE;
  return (
    <svg className="qr-code" role="img" aria-label={label} viewBox={`0 0 ${side} ${side}`} width={side * 5} height={side * 5} shapeRendering="crispEdges">
      <rect width={side} height={side} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
