import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ApiError } from '../errors/api-error.ts';

export const SDK_FILES = ['carillon.js', 'carillon-sw.js'] as const;
export type SdkFile = (typeof SDK_FILES)[number];

export interface SdkAsset {
  body: string;
  /** Strong validator, so browsers revalidate the unversioned URL cheaply (304). */
  etag: string;
}

type Loader = () => Promise<Record<SdkFile, string>>;

/**
 * The browser SDK as the server serves it, made once per process on first request: built
 * from sdk/src with esbuild when it is installed (so `npm start` on a fresh clone serves
 * what is in the tree, with no build step), else read from sdk/dist (`npm run build:sdk`,
 * for installs without dev dependencies).
 */
export class SdkAssets {
  #files: Promise<Map<SdkFile, SdkAsset>> | undefined;
  readonly #load: Loader;

  constructor(opts: { logger: Logger; load?: Loader }) {
    this.#load = opts.load ?? (() => loadSdk(opts.logger));
  }

  async get(file: SdkFile): Promise<SdkAsset> {
    this.#files ??= this.#load().then(
      (files) => new Map(SDK_FILES.map((name) => [name, { body: files[name], etag: `"${createHash('sha256').update(files[name]).digest('base64url').slice(0, 27)}"` }])),
      (err: unknown) => {
        // Not cached: a fixed source or a finished build is picked up by the next request.
        this.#files = undefined;
        throw err;
      },
    );
    return (await this.#files).get(file)!;
  }
}

const SDK_ROOT = new URL('../../sdk/', import.meta.url);

async function loadSdk(logger: Logger): Promise<Record<SdkFile, string>> {
  let build: typeof import('../../sdk/build.ts') | undefined;
  try {
    build = await import('../../sdk/build.ts');
  } catch (err) {
    // esbuild is a dev dependency: absent after `npm install --omit=dev`.
    logger.debug({ err }, 'cannot build the SDK here; serving sdk/dist');
  }
  // A build error in sdk/src is thrown, not hidden behind an older dist.
  if (build) return build.buildSdk();
  try {
    const [page, worker] = await Promise.all(SDK_FILES.map((name) => readFile(fileURLToPath(new URL(`dist/${name}`, SDK_ROOT)), 'utf8')));
    return { 'carillon.js': page!, 'carillon-sw.js': worker! };
  } catch {
    throw new ApiError('sdk_unavailable', 'sdk/dist is not built and esbuild is not installed here: run `npm run build:sdk` where the dev dependencies are');
  }
}
