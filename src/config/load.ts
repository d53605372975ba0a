import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { defaults, type Config } from './defaults.ts';
import { CONFIG_KEYS, envName } from './keys.ts';
import { trustProxyOption } from './trust-proxy.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Source = Record<string, string | undefined>;

/**
 * Reads an env-style config file: `KEY=value` lines, `#` comments, optional quotes.
 * The same names as the environment variables, so one sample file documents both.
 */
export function parseConfigFile(text: string, path = 'config file'): Source {
  const out: Source = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const m = /^([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!m) throw new ConfigError(`${path}:${i + 1}: expected KEY=value`);
    let value = m[2]!;
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1]!] = value;
  });
  return out;
}

function coerce(key: keyof Config, raw: string, origin: string): Config[keyof Config] {
  const kind = typeof defaults[key];
  if (kind === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new ConfigError(`${origin}: ${key} must be a non-negative number, got "${raw}"`);
    }
    return n;
  }
  if (kind === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off|)$/i.test(raw)) return false;
    throw new ConfigError(`${origin}: ${key} must be true or false, got "${raw}"`);
  }
  return raw;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function validate(config: Config): Config {
  if (!Number.isInteger(config.port) || config.port > 65_535) throw new ConfigError(`port must be 0-65535, got ${config.port}`);
  if (!LOG_LEVELS.includes(config.logLevel)) throw new ConfigError(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  for (const key of ['batchSize', 'workerConcurrency', 'originConcurrency', 'originConnections', 'maxAttempts', 'databasePoolSize', 'eventRetentionDays', 'activityRetentionDays', 'journeyAudiencePage', 'conversationMaxReplies'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) throw new ConfigError(`${key} must be a positive integer`);
  }
  if (!Number.isInteger(config.clientBurst) || config.clientBurst < 1) throw new ConfigError('clientBurst must be a positive integer');
  if (!Number.isInteger(config.originSessions) || config.originSessions < 1) throw new ConfigError('originSessions must be a positive integer');
  for (const key of ['httpRequestTimeout', 'httpHeadersTimeout', 'httpTimeoutCheckInterval'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) throw new ConfigError(`${key} must be a positive number of ms`);
  }
  // 0 would make each long poll on a challenge a loop of database reads for its whole wait.
  if (!Number.isInteger(config.mfaWaitRecheck) || config.mfaWaitRecheck < 50) throw new ConfigError('mfaWaitRecheck must be at least 50 ms');
  if (config.httpHeadersTimeout > config.httpRequestTimeout) throw new ConfigError('httpHeadersTimeout must be at most httpRequestTimeout');
  for (const key of ['intentTimeout', 'webhookTimeout'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) throw new ConfigError(`${key} must be a positive whole number of ms, got ${config[key]}`);
  }
  for (const key of ['httpKeepAliveTimeout', 'httpMaxConnections', 'httpMaxRequestsPerSocket'] as const) {
    if (!Number.isInteger(config[key])) throw new ConfigError(`${key} must be a whole number`);
  }
  for (const key of ['originRate', 'providerRate', 'clientRate'] as const) {
    if (!Number.isFinite(config[key]) || config[key] < 0) throw new ConfigError(`${key} must be a number of messages a second, 0 for no limit`);
  }
  try {
    trustProxyOption(config.trustProxy);
  } catch (err) {
    throw new ConfigError(`trustProxy must be empty, true, a hop count or addresses and CIDRs: ${(err as Error).message}`);
  }
  if (config.publicUrl && !/^https?:\/\/[^/]+/.test(config.publicUrl)) throw new ConfigError('publicUrl must be an http(s) URL');
  if (!['api', 'worker', 'both'].includes(config.role)) throw new ConfigError(`role must be api, worker or both, got "${config.role}"`);
  if (config.alertTrustedCertificates) checkTrustedCertificates(config.alertTrustedCertificates);
  if (!['reject', 'at_sent', 'accept'].includes(config.alertExpiredCertificates)) throw new ConfigError(`alertExpiredCertificates must be reject, at_sent or accept, got "${config.alertExpiredCertificates}"`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.queuePrefix)) throw new ConfigError('queuePrefix must be 1-64 letters, digits, _ or -');
  if (config.redisUrl && !/^rediss?:\/\//.test(config.redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// URL');
  for (const key of ['pushServiceUrl', 'apnsUrl', 'fcmUrl'] as const) {
    if (config[key] && !/^https?:\/\/[^/]+/.test(config[key])) throw new ConfigError(`${key} must be an http(s) URL`);
  }
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  }
  return config;
}

export interface LoadOptions {
  /** Values from CLI flags, already keyed by config key. */
  flags?: Partial<Record<keyof Config, string | number | boolean>>;
  env?: Source;
  /** Path of an env-style config file (also `CARILLON_CONFIG`). */
  file?: string;
}

/** defaults → config file → environment → flags; the later source wins. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const filePath = opts.file ?? env.CARILLON_CONFIG;
  const fileValues = filePath ? parseConfigFile(readFileSync(filePath, 'utf8'), filePath) : {};
  const config: Config = { ...defaults };
  const assign = <K extends keyof Config>(key: K, value: Config[K]) => {
    config[key] = value;
  };
  for (const key of CONFIG_KEYS) {
    const name = envName(key);
    for (const [source, origin] of [[fileValues, filePath ?? ''], [env, 'environment']] as const) {
      const raw = source[name];
      if (raw !== undefined) assign(key, coerce(key, raw, `${origin} ${name}`));
    }
    const flag = opts.flags?.[key];
    if (flag !== undefined) assign(key, typeof flag === 'string' ? coerce(key, flag, `flag for ${key}`) : flag);
  }
  return validate(config);
}

/**
 * The CAP signature rule's certificates, read at start: a missing, empty or broken file
 * would otherwise refuse every alert posted or polled (src/alerts/signature-check.ts).
 */
function checkTrustedCertificates(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`alertTrustedCertificates: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) throw new ConfigError(`alertTrustedCertificates: ${path} holds no PEM certificate`);
  for (const [i, pem] of pems.entries()) {
    try {
      new X509Certificate(pem);
    } catch (err) {
      throw new ConfigError(`alertTrustedCertificates: certificate ${i + 1} of ${path} cannot be read (${(err as Error).message})`);
    }
  }
}
