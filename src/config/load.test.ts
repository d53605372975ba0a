import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaults } from './defaults.ts';
import { CONFIG_KEYS, envName, flagName } from './keys.ts';
import { ConfigError, loadConfig, parseConfigFile } from './load.ts';

test('names: env vars and flags follow the key', () => {
  assert.equal(envName('requestTimeout'), 'CARILLON_REQUEST_TIMEOUT');
  assert.equal(envName('allowPrivateEndpoints'), 'CARILLON_ALLOW_PRIVATE_ENDPOINTS');
  assert.equal(envName('databaseUrl'), 'DATABASE_URL');
  assert.equal(flagName('dataDir'), '--data-dir');
});

test('the annotated sample config lists every key once, with its default', () => {
  const sample = readFileSync(new URL('../../carillon.env.example', import.meta.url), 'utf8');
  for (const key of CONFIG_KEYS) {
    const lines = sample.split('\n').filter((l) => l.startsWith(`#${envName(key)}=`));
    assert.equal(lines.length, 1, `${envName(key)} appears once`);
    const value = lines[0]!.slice(envName(key).length + 2);
    assert.equal(value, String(defaults[key]), `${key} default`);
  }
  const uncommented = parseConfigFile(sample.replace(/^#([A-Z_]+=)/gm, '$1'));
  assert.deepEqual(loadConfig({ env: {}, flags: {} }), defaults);
  assert.equal(Object.keys(uncommented).length, CONFIG_KEYS.length);
});

test('defaults, then file, then environment, then flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-config-'));
  const file = join(dir, 'carillon.env');
  writeFileSync(file, '# comment\nCARILLON_PORT=9000\nCARILLON_HOST="0.0.0.0"\nCARILLON_BATCH_SIZE=10\n');
  const config = loadConfig({ file, env: { CARILLON_BATCH_SIZE: '20', CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true' }, flags: { port: '9100' } });
  assert.equal(config.port, 9100);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.batchSize, 20);
  assert.equal(config.allowPrivateEndpoints, true);
  assert.equal(config.requestTimeout, defaults.requestTimeout);
});

test('bad values are refused at start-up with the source named', () => {
  assert.throws(() => loadConfig({ env: { CARILLON_PORT: 'eighty' } }), (e: Error) => e instanceof ConfigError && /environment CARILLON_PORT/.test(e.message));
  assert.throws(() => loadConfig({ env: { CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'maybe' } }), /true or false/);
  assert.throws(() => loadConfig({ env: { CARILLON_BATCH_SIZE: '0' } }), /batchSize must be a positive integer/);
  assert.throws(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' } }), /postgres:\/\//);
  assert.throws(() => loadConfig({ env: { CARILLON_MFA_WAIT_RECHECK: '0' } }), /mfaWaitRecheck must be at least 50 ms/);
  assert.throws(() => loadConfig({ env: { CARILLON_LOG_LEVEL: 'loud' } }), /logLevel/);
  assert.throws(() => loadConfig({ env: { CARILLON_INTENT_TIMEOUT: '0' } }), /intentTimeout must be a positive whole number of ms, got 0/);
  assert.throws(() => loadConfig({ env: { CARILLON_INTENT_TIMEOUT: '2.5' } }), /intentTimeout must be a positive whole number of ms, got 2.5/);
  assert.throws(() => loadConfig({ env: { CARILLON_INTENT_TIMEOUT: 'soon' } }), /environment CARILLON_INTENT_TIMEOUT: intentTimeout must be a non-negative number, got "soon"/);
  assert.equal(loadConfig({ env: { CARILLON_INTENT_TIMEOUT: '8000' } }).intentTimeout, 8000);
  assert.throws(() => loadConfig({ env: { CARILLON_WEBHOOK_TIMEOUT: '0' } }), /webhookTimeout must be a positive whole number of ms, got 0/);
  // A job's lease is renewed while it runs: a timeout longer than queueLease is no second delivery.
  assert.equal(loadConfig({ env: { CARILLON_WEBHOOK_TIMEOUT: '10000', CARILLON_QUEUE_LEASE: '2000' } }).webhookTimeout, 10000);
  assert.throws(() => parseConfigFile('not a setting', 'x.env'), /x.env:1: expected KEY=value/);
});

test('alertTrustedCertificates is read at start: a missing, empty or broken file is refused with the file named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-trusted-'));
  const good = join(dir, 'good.pem');
  writeFileSync(good, readFileSync(new URL('../transport/fixtures/test-cert.pem', import.meta.url), 'utf8'));
  assert.equal(loadConfig({ env: { CARILLON_ALERT_TRUSTED_CERTIFICATES: good } }).alertTrustedCertificates, good);
  const missing = join(dir, 'missing.pem');
  assert.throws(() => loadConfig({ env: { CARILLON_ALERT_TRUSTED_CERTIFICATES: missing } }), (e: Error) => e instanceof ConfigError && e.message.includes(`cannot read ${missing} (ENOENT)`));
  const empty = join(dir, 'empty.pem');
  writeFileSync(empty, 'not a certificate\n');
  assert.throws(() => loadConfig({ env: { CARILLON_ALERT_TRUSTED_CERTIFICATES: empty } }), /empty\.pem holds no PEM certificate/);
  const broken = join(dir, 'broken.pem');
  writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  assert.throws(() => loadConfig({ env: { CARILLON_ALERT_TRUSTED_CERTIFICATES: broken } }), /certificate 1 of .*broken\.pem cannot be read/);
});
