import { defaults, type Config } from './defaults.ts';

/** Environment variables that do not follow the CARILLON_ prefix, by convention of their tools. */
const ENV_OVERRIDES: Partial<Record<keyof Config, string>> = {
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
};

/** `requestTimeout` → `CARILLON_REQUEST_TIMEOUT` (or the conventional name above). */
export function envName(key: keyof Config): string {
  return ENV_OVERRIDES[key] ?? `CARILLON_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** `requestTimeout` → `--request-timeout`. */
export function flagName(key: keyof Config): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export const CONFIG_KEYS = Object.keys(defaults) as (keyof Config)[];
