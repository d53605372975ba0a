import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capSample } from '../../test/alerts/cap-vectors.ts';
import { parseCap } from '../protocol/cap/parse.ts';
import type { CapInfo } from '../protocol/cap/types.ts';
import { isAllClear, isTopPriority, pickInfo } from './info-choice.ts';

const info = (language: string, extra: Partial<CapInfo> = {}): CapInfo => ({
  language, categories: ['Met'], event: language, responseTypes: [], urgency: 'Immediate', severity: 'Severe', certainty: 'Observed',
  eventCodes: [], parameters: [], resources: [], areas: [], ...extra,
});

describe('pickInfo', () => {
  it('the AMBER sample: Spanish speakers get es-US, everyone else en-US', () => {
    const infos = parseCap(capSample('04')).infos;
    assert.equal(pickInfo(infos, 'es-US')!.event, 'Abducción de Niño');
    assert.equal(pickInfo(infos, 'es-MX')!.event, 'Abducción de Niño', 'another region of the language');
    assert.equal(pickInfo(infos, 'ES')!.event, 'Abducción de Niño');
    assert.equal(pickInfo(infos, 'de-DE')!.event, 'Child Abduction');
    assert.equal(pickInfo(infos, null)!.event, 'Child Abduction');
  });

  it('prefers the exact tag, then the bare language, then a sibling region, then en-US, then the first', () => {
    const infos = [info('fr-FR'), info('fr'), info('fr-CA'), info('de')];
    assert.equal(pickInfo(infos, 'fr-ca')!.language, 'fr-CA');
    assert.equal(pickInfo(infos, 'fr-BE')!.language, 'fr');
    assert.equal(pickInfo([info('fr-FR'), info('en-US')], 'fr-BE')!.language, 'fr-FR');
    assert.equal(pickInfo([info('de'), info('en-US')], 'ja')!.language, 'en-US');
    assert.equal(pickInfo([info('de'), info('it')], 'ja')!.language, 'de');
    assert.equal(pickInfo([], 'en'), undefined, 'a Cancel with no info');
  });
});

describe('isTopPriority and isAllClear', () => {
  it('Extreme or Severe with Immediate or Expected is top priority, nothing else', () => {
    for (const severity of ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const) {
      for (const urgency of ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const) {
        const top = (severity === 'Extreme' || severity === 'Severe') && (urgency === 'Immediate' || urgency === 'Expected');
        assert.equal(isTopPriority({ severity, urgency }), top, `${severity} ${urgency}`);
      }
    }
    assert.equal(isTopPriority(parseCap(capSample('07')).infos[0]!), true, 'the IPAWS local area emergency');
    assert.equal(isTopPriority(parseCap(capSample('03')).infos[0]!), false, 'a minor past earthquake');
  });

  it('a Cancel and an Update that says the danger is past are all-clears', () => {
    assert.equal(isAllClear(parseCap(capSample('05'))), true, 'the IPAWS Cancel');
    assert.equal(isAllClear(parseCap(capSample('06'))), true, 'the NTWC Tsunami Cancellation (an Update, urgency Past)');
    assert.equal(isAllClear(parseCap(capSample('03'))), true, 'the earthquake Update, urgency Past');
    assert.equal(isAllClear(parseCap(capSample('02'))), false, 'an Alert');
    assert.equal(isAllClear({ msgType: 'Update', infos: [info('en-US', { urgency: 'Expected' })] }), false);
    assert.equal(isAllClear({ msgType: 'Update', infos: [info('en-US', { urgency: 'Unknown', responseTypes: ['AllClear'] })] }), true);
    assert.equal(isAllClear({ msgType: 'Update', infos: [] }), false);
  });
});
