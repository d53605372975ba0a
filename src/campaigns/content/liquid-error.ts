import { LiquidError } from 'liquidjs';
import { ContentError, type TemplatePosition } from './content-error.ts';

/** A liquidjs error (or a V8 one: a stack overflow on a template nested too deep) as template_invalid. */
export function templateError(err: unknown, pointer: string): ContentError {
  if (err instanceof LiquidError) return new ContentError('template_invalid', pointer, liquidMessage(err), liquidPosition(err));
  if (err instanceof RangeError) return new ContentError('template_invalid', pointer, 'the template nests too deep');
  return new ContentError('template_invalid', pointer, err instanceof Error ? err.message : String(err));
}

/** liquidjs appends ", line:1, col:4" (and a file name) to its messages; the position goes in its own members. */
export function liquidMessage(err: Error): string {
  return err.message.replace(/(, file:[^,]*)?, line:\d+, col:\d+$/, '');
}

export function liquidPosition(err: LiquidError): TemplatePosition | undefined {
  const pos = err.token?.getPosition?.();
  return pos && pos[0] !== undefined && pos[1] !== undefined ? { line: pos[0], column: pos[1] } : undefined;
}
