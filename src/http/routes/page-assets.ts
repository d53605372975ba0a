import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BuiltPages } from '../../../public/authenticator/build.ts';
import { DASHBOARD_CSP } from './dashboard.ts';

export interface PageFile {
  body: Buffer;
  type: string;
  /** Strong validator: the URLs are unversioned, so browsers revalidate them (304). */
  etag: string;
}

export const fileOf = (body: Buffer | string, type: string): PageFile => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return { body: bytes, type, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
};

export const readPageFile = (dir: string, name: string, type: string) => fileOf(readFileSync(path.join(dir, name)), type);

let built: Promise<BuiltPages> | undefined;

/**
 * The scripts of the authenticator and the example login page, built once per process from
 * their TypeScript with esbuild when it is installed (so the server serves what is in the
 * tree), else read from their dist/ folders (`npx tsx public/authenticator/build.ts`).
 */
export function builtPages(logger: Logger): Promise<BuiltPages> {
  built ??= import('../../../public/authenticator/build.ts').then(async (b) => {
    try {
      return await b.buildPages();
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
      logger.debug({ err }, 'esbuild is not installed here; serving the pages from dist/');
      return b.readBuiltPages();
    }
  });
  built.catch(() => {
    // Not kept: a fixed source is picked up by the next request.
    built = undefined;
  });
  return built;
}

/**
 * The page policy of the dashboard (CSP Level 3: this origin only, no inline script or
 * style, no framing), which also covers the worker and the manifest (default-src).
 */
export function sendPageFile(req: FastifyRequest, reply: FastifyReply, file: PageFile, headers: Record<string, string> = {}): FastifyReply {
  void reply
    .header('content-type', file.type)
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache')
    .header('etag', file.etag)
    .headers(headers);
  if (req.headers['if-none-match'] === file.etag) return reply.status(304).send();
  return reply.send(file.body);
}

export const HTML = 'text/html; charset=utf-8';
export const JS = 'text/javascript; charset=utf-8';
export const CSS = 'text/css; charset=utf-8';
