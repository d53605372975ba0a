import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The master key from config (base64 of 32 bytes), or the one kept in the data folder,
 * created there with mode 0600 on first start. A scale-out installation sets it in config
 * so every process shares it.
 */
export function resolveMasterKey(configured: string, dataDir: string): { key: Buffer; source: string } {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new Error('CARILLON_MASTER_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)');
    return { key, source: 'config' };
  }
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return { key, source: file };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: file };
}
