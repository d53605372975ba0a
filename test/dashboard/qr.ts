import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

// jsqr is a UMD bundle whose module.exports is the function; its types speak of a default export.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

export interface Pixels {
  width: number;
  height: number;
  data: number[];
}

/**
 * The RGBA pixels of a PNG (a screenshot), decoded by the browser itself: a Blob made in
 * the page (no fetch, nothing the page's CSP would refuse), drawn on a canvas and read back.
 */
export async function pixelsOf(page: Page, png: Buffer): Promise<Pixels> {
  return page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: bitmap.width, height: bitmap.height, data: Array.from(data) };
  }, png.toString('base64'));
}

/** The text of the QR code in the pixels, as a reader app would find it; undefined when none is found. */
export function readQr(pixels: Pixels): string | undefined {
  return jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height)?.data;
}
