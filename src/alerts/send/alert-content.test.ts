import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CapInfo } from '../../protocol/cap/types.ts';
import { webPushChannel } from '../../providers/webpush/channel.ts';
import { alertContent, allClearContent, cutText } from './alert-content.ts';

const ALERT = { identifier: 'A-1', sender: 'ops@city.example', msgType: 'Alert' as const };
const LINK = 'https://alerts.example/public/apps/app_1/alerts/alr_1';
const opts = { thread: 'alr_1', fullTextUrl: LINK, criticalAlerts: false, sound: 'civic_alert' };

function info(over: Partial<CapInfo> = {}): CapInfo {
  return { language: 'en-US', categories: ['Met'], event: 'Flood', responseTypes: [], urgency: 'Immediate', severity: 'Severe', certainty: 'Observed', eventCodes: [], parameters: [], resources: [], areas: [], ...over };
}

test('cutText keeps a text that fits, and cuts one that does not at a word, with an ellipsis and the link', () => {
  assert.equal(cutText('short', 10, LINK), 'short');
  const long = 'word '.repeat(100).trim();
  const cut = cutText(long, 120, LINK);
  assert.ok([...cut].length <= 120, `${[...cut].length} characters`);
  assert.ok(cut.endsWith(`…\n${LINK}`));
  assert.match(cut, /^(word )+word…\n/, 'cut between words');
  // Code points, not UTF-16 units: an emoji is never split.
  assert.doesNotMatch(cutText('🌊'.repeat(200), 80, LINK), /[\ud800-\udbff](?![\udc00-\udfff])/);
});

test('headline is the title (the event without one), description and instruction the body, web the url; top priority asks for attention', () => {
  const c = alertContent(ALERT, 'alr_1', info({ headline: 'Flood warning', description: 'The river  is\n  rising.', instruction: 'Move up.', web: 'https://nws.example/a' }), opts);
  assert.deepEqual([c.title, c.body, c.url, c.tag, c.lang], ['Flood warning', 'The river is\nrising.\n\nMove up.', 'https://nws.example/a', 'alr_1', 'en-US']);
  assert.deepEqual([c.requireInteraction, c.interruptionLevel, c.sound], [true, 'time-sensitive', 'civic_alert']);
  assert.equal(alertContent(ALERT, 'alr_1', info(), { ...opts, criticalAlerts: true }).interruptionLevel, 'critical');
  const minor = alertContent(ALERT, 'alr_1', info({ severity: 'Minor', web: 'ftp://x.example/a' }), opts);
  assert.deepEqual([minor.title, minor.url, minor.requireInteraction, minor.interruptionLevel, minor.sound], ['Flood', LINK, undefined, 'active', undefined]);
});

test('a body too long for the channel is cut until the payload fits, ending with the link to the full text', () => {
  const channel = webPushChannel;
  const fits = (c: Parameters<typeof channel.payloadBytes>[1]) => channel.payloadBytes('ntf_x', c) <= channel.capabilities.maxPayloadBytes;
  const text = 'Évacuez la vallée immédiatement. '.repeat(200);
  const c = alertContent(ALERT, 'alr_1', info({ description: text }), { ...opts, fits, maxBodyChars: 4000 });
  assert.ok(fits(c));
  assert.ok(c.body!.endsWith(`…\n${LINK}`));
  assert.ok(c.body!.length > 1000, 'as much as fits, not a sliver');
});

test('an all-clear without info names the cancelled alert in its language', () => {
  const c = allClearContent({ ...ALERT, msgType: 'Cancel' }, 'alr_2', info({ language: 'fr-FR', headline: 'Crue' }), 'fr-CA', opts);
  assert.deepEqual([c.title, c.body, c.tag, c.requireInteraction], ['Crue', 'Fin d’alerte : cette alerte est levée.', 'alr_1', undefined]);
  assert.equal(allClearContent({ ...ALERT, msgType: 'Cancel' }, 'alr_2', undefined, 'pt-BR', opts).body, 'All clear: this alert has been cancelled.');
});
