import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EndpointRejectedError, type EndpointRejectionReason } from './endpoint-rejected-error.ts';
import { checkEndpointUrl, MAX_ENDPOINT_LENGTH, normalizeEndpoint } from './endpoint-url.ts';

const STRICT = { allowPrivate: false };
const LENIENT = { allowPrivate: true };

function rejects(raw: string, reason: EndpointRejectionReason, options = STRICT): void {
  assert.throws(
    () => checkEndpointUrl(raw, options),
    (err: unknown) =>
      err instanceof EndpointRejectedError && err.code === 'endpoint_rejected' && err.reason === reason,
    `${raw} should be rejected as ${reason}`,
  );
}

test('accepts real push service endpoints and returns the parsed URL', () => {
  const endpoints = [
    'https://fcm.googleapis.com/fcm/send/dXJhbmRvbQ:APA91bH',
    'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk',
    'https://web.push.apple.com/QGuQyavXutnMcZv8f3rWV',
    'https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB',
    'https://push.example.com:8443/p/abc',
    'https://93.184.216.34/push',
    'https://[2606:4700:4700::1111]/push',
  ];
  for (const raw of endpoints) {
    const url = checkEndpointUrl(raw, STRICT);
    assert.ok(url instanceof URL);
    assert.equal(url.href, new URL(raw).href);
  }
});

test('refuses what does not parse as an absolute URL', () => {
  rejects('', 'malformed');
  rejects('fcm.googleapis.com/fcm/send/x', 'malformed');
  rejects('/relative/path', 'malformed');
  rejects('https://exa mple.com/', 'malformed');
  rejects('https://[::1/', 'malformed');
  rejects('https://', 'malformed');
  rejects(42 as unknown as string, 'malformed');
});

test('refuses endpoints longer than the limit', () => {
  const base = 'https://push.example.com/';
  assert.ok(checkEndpointUrl(base + 'a'.repeat(MAX_ENDPOINT_LENGTH - base.length), STRICT));
  rejects(base + 'a'.repeat(MAX_ENDPOINT_LENGTH - base.length + 1), 'too_long');
  // Within the limit as typed, beyond it once percent-encoded for storage.
  rejects(base + 'é'.repeat(500) + 'x', 'too_long');
});

test('requires https unless private endpoints are allowed', () => {
  rejects('http://push.example.com/x', 'not_https');
  rejects('ftp://push.example.com/x', 'not_https');
  rejects('file:///etc/passwd', 'not_https');
  rejects('data:text/plain,hi', 'not_https');
  rejects('ws://push.example.com/x', 'not_https');
  assert.equal(checkEndpointUrl('http://push.example.com/x', LENIENT).protocol, 'http:');
  rejects('ftp://push.example.com/x', 'not_https', LENIENT);
});

test('refuses credentials and fragments, even when private endpoints are allowed', () => {
  for (const options of [STRICT, LENIENT]) {
    rejects('https://user@push.example.com/x', 'credentials', options);
    rejects('https://user:pw@push.example.com/x', 'credentials', options);
    rejects('https://:pw@push.example.com/x', 'credentials', options);
    rejects('https://push.example.com/x#frag', 'fragment', options);
    rejects('https://push.example.com/x#', 'fragment', options);
  }
});

test('refuses non-public IP literals, in every spelling the URL parser accepts', () => {
  const literals = [
    'https://127.0.0.1/',
    'https://127.0.0.1./',
    'https://127.1/',
    'https://0x7f.0.0.1/',
    'https://0177.0.0.1/',
    'https://2130706433/',
    'https://0/',
    'https://10.0.0.1:8443/x',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/',
    'https://[::1]/',
    'https://[0:0:0:0:0:0:0:1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[fd00::1]/',
    'https://[fe80::1]/',
    'https://[64:ff9b::a9fe:a9fe]/',
  ];
  for (const raw of literals) {
    rejects(raw, 'private_address');
    assert.ok(checkEndpointUrl(raw, LENIENT));
  }
  const err = (() => {
    try {
      checkEndpointUrl('https://[::ffff:10.0.0.1]/', STRICT);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof EndpointRejectedError);
  assert.equal(err.address, '::ffff:a00:1');
});

test('refuses localhost names unless private endpoints are allowed', () => {
  for (const raw of ['https://localhost/', 'https://LOCALHOST:8443/', 'https://localhost./', 'https://a.b.localhost/']) {
    rejects(raw, 'private_address');
    assert.ok(checkEndpointUrl(raw, LENIENT));
  }
  // Only the name and its subdomains, not names that merely contain it.
  assert.ok(checkEndpointUrl('https://localhost.example.com/', STRICT));
  assert.ok(checkEndpointUrl('https://mylocalhost/', STRICT));
});

test('the error is typed, with a stable code and reason', () => {
  try {
    checkEndpointUrl('http://push.example.com/', STRICT);
    assert.fail('expected a rejection');
  } catch (err) {
    assert.ok(err instanceof EndpointRejectedError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'EndpointRejectedError');
    assert.equal(err.code, 'endpoint_rejected');
    assert.equal(err.reason, 'not_https');
  }
});

test('control characters and spaces are refused, not cleaned away by the URL parser', () => {
  for (const raw of ['https://push.example.net/a\r\nb', 'https://push.example.net/a\u0000', '\thttps://push.example.net/a', 'https://push.example.net/a b', 'https://push.example.net/\u0085', 'https://push.example.net/a\u007f']) {
    rejects(raw, 'malformed', LENIENT);
  }
});

test('endpoints normalise to one form: host lower-cased, default port dropped', () => {
  assert.equal(normalizeEndpoint('https://Push.Example.NET:443/Send/AbC'), 'https://push.example.net/Send/AbC');
  assert.equal(normalizeEndpoint('HTTPS://push.example.net'), 'https://push.example.net/');
  assert.equal(normalizeEndpoint('http://push.example.net:80/x'), 'http://push.example.net/x');
  assert.equal(normalizeEndpoint('https://push.example.net:8443/x'), 'https://push.example.net:8443/x');
  assert.equal(normalizeEndpoint('https://fcm.googleapis.com/fcm/send/dXJhbmRvbQ:APA91bH'), 'https://fcm.googleapis.com/fcm/send/dXJhbmRvbQ:APA91bH', 'a real endpoint is already in normal form');
  assert.equal(normalizeEndpoint('not a url'), 'not a url', 'left for the check to refuse');
  assert.equal(normalizeEndpoint('https://push.example.net/a\nb'), 'https://push.example.net/a\nb', 'left for the check to refuse');
});
