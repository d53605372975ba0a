import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCap } from './parse.ts';
import { capSample, capSampleNames } from '../../../test/alerts/cap-vectors.ts';

const ms = (iso: string) => Date.parse(iso);

describe('parseCap on the real CAP 1.2 samples', () => {
  it('reads all seven', () => {
    assert.equal(capSampleNames().length, 7);
    for (const name of capSampleNames()) assert.doesNotThrow(() => parseCap(capSample(name.slice(0, 2))), name);
  });

  it('A.1 homeland security: header, one info, an area with no geometry, no expires', () => {
    const a = parseCap(capSample('01'));
    assert.equal(a.version, '1.2');
    assert.equal(a.identifier, '43b080713727');
    assert.equal(a.sender, 'hsas@dhs.gov');
    assert.equal(a.sent.text, '2003-04-02T14:39:01-05:00');
    assert.equal(a.sent.epochMs, ms('2003-04-02T19:39:01Z'));
    assert.equal(a.sent.offsetMinutes, -300);
    assert.deepEqual([a.status, a.msgType, a.scope], ['Actual', 'Alert', 'Public']);
    assert.deepEqual(a.references, []);
    assert.equal(a.hasSignature, false);
    assert.equal(a.infos.length, 1);
    const info = a.infos[0]!;
    assert.equal(info.language, 'en-US', 'absent <language> is en-US (CAP 1.2 §3.2.2)');
    assert.deepEqual(info.categories, ['Security']);
    assert.equal(info.event, 'Homeland Security Advisory System Update');
    assert.deepEqual([info.urgency, info.severity, info.certainty], ['Immediate', 'Severe', 'Likely']);
    assert.equal(info.headline, 'Homeland Security Sets Code ORANGE');
    assert.match(info.description!, /^The Department of Homeland Security has elevated/);
    assert.match(info.description!, /threat of terrorism\.$/);
    assert.match(info.instruction!, /^A High Condition is declared/, 'leading space trimmed');
    assert.equal(info.web, 'http://www.dhs.gov/dhspublic/display?theme=29');
    assert.equal(info.expires, undefined);
    assert.deepEqual(info.parameters, [{ valueName: 'HSAS', value: 'ORANGE' }]);
    assert.deepEqual(info.resources, [
      { resourceDesc: 'Image file (GIF)', mimeType: 'image/gif', uri: 'http://www.dhs.gov/dhspublic/getAdvisoryImage' },
    ]);
    assert.deepEqual(info.areas, [
      { areaDesc: 'U.S. nationwide and interests worldwide', polygons: [], circles: [], geocodes: [] },
    ]);
  });

  it('A.2 thunderstorm: polygon in lat,lon order, three SAME geocodes, expires, responseType', () => {
    const a = parseCap(capSample('02'));
    assert.equal(a.identifier, 'KSTO1055887203');
    assert.equal(a.sender, 'KSTO@NWS.NOAA.GOV');
    const info = a.infos[0]!;
    assert.deepEqual(info.categories, ['Met']);
    assert.deepEqual(info.responseTypes, ['Shelter']);
    assert.deepEqual(info.eventCodes, [{ valueName: 'SAME', value: 'SVR' }]);
    assert.equal(info.expires!.epochMs, ms('2003-06-17T23:00:00Z'));
    assert.equal(info.headline, 'SEVERE THUNDERSTORM WARNING');
    assert.equal(info.instruction, 'TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.');
    const area = info.areas[0]!;
    assert.match(area.areaDesc, /^EXTREME NORTH CENTRAL TUOLUMNE COUNTY/);
    assert.deepEqual(area.polygons, [
      {
        points: [
          { lat: 38.47, lon: -120.14 },
          { lat: 38.34, lon: -119.95 },
          { lat: 38.52, lon: -119.74 },
          { lat: 38.62, lon: -119.89 },
          { lat: 38.47, lon: -120.14 },
        ],
      },
    ]);
    assert.deepEqual(area.geocodes, [
      { valueName: 'SAME', value: '006109' },
      { valueName: 'SAME', value: '006009' },
      { valueName: 'SAME', value: '006003' },
    ]);
  });

  it('A.3 earthquake: an Update referencing the earlier message, a radius-0 circle, urgency Past', () => {
    const a = parseCap(capSample('03'));
    assert.equal(a.msgType, 'Update');
    assert.equal(a.identifier, 'TRI13970876.2');
    assert.equal(a.references.length, 1);
    assert.equal(a.references[0]!.sender, 'trinet@caltech.edu');
    assert.equal(a.references[0]!.identifier, 'TRI13970876.1');
    assert.equal(a.references[0]!.sent!.epochMs, ms('2003-06-12T03:30:00Z'));
    const info = a.infos[0]!;
    assert.equal(info.urgency, 'Past');
    assert.deepEqual([info.severity, info.certainty], ['Minor', 'Observed']);
    assert.equal(info.parameters.length, 5);
    assert.deepEqual(info.parameters[2], { valueName: 'Magnitude', value: '3.4 Ml' });
    assert.deepEqual(info.areas[0]!.circles, [{ center: { lat: 32.9525, lon: -115.5527 }, radiusKm: 0 }]);
  });

  it('A.4 AMBER alert: two languages, each info with its own area, a source', () => {
    const a = parseCap(capSample('04'));
    assert.equal(a.source, 'SW');
    assert.deepEqual(a.infos.map((i) => i.language), ['en-US', 'es-US']);
    assert.deepEqual(a.infos.map((i) => i.event), ['Child Abduction', 'Abducción de Niño']);
    assert.deepEqual(a.infos.map((i) => i.headline), ['Amber Alert in Los Angeles County', 'Alerta Amber en el condado de Los Ángeles']);
    assert.deepEqual(a.infos.map((i) => i.areas[0]!.areaDesc), ['Los Angeles County', 'condado de Los Ángeles']);
    for (const info of a.infos) assert.deepEqual(info.areas[0]!.geocodes, [{ valueName: 'SAME', value: '006037' }]);
    assert.match(a.infos[0]!.description!, /VEHICLE: 81' BUICK 2-DR, BLUE \(4XXX000\)\.$/);
  });

  it('IPAWS Cancel: no info at all, a reference, a code, a signature present', () => {
    const a = parseCap(capSample('05'));
    assert.equal(a.msgType, 'Cancel');
    assert.equal(a.infos.length, 0);
    assert.equal(a.source, 'AlertSense');
    assert.deepEqual(a.codes, ['IPAWSv1.0']);
    assert.equal(a.sent.epochMs, ms('2019-04-19T17:46:20Z'));
    assert.deepEqual(
      a.references.map((r) => [r.sender, r.identifier, r.sent?.text]),
      [['bbrundage@dps.state.nv.us', 'AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd', '2019-04-18T12:02:32-06:00']],
    );
    assert.equal(a.hasSignature, true);
  });

  it('NTWC tsunami: an Update with three references, incidents, -00:00 as UTC, entities decoded', () => {
    const a = parseCap(capSample('06'));
    assert.equal(a.msgType, 'Update');
    assert.deepEqual(a.incidents, ['mg5a94']);
    assert.deepEqual(
      a.references.map((r) => r.identifier),
      ['PAAQ-1-mg5a94', 'PAAQ-2-mg5a94', 'PAAQ-3-mg5a94'],
    );
    assert.ok(a.references.every((r) => r.sender === 'wcatwc@noaa.gov'));
    assert.equal(a.references[2]!.sent!.epochMs, ms('2013-01-05T10:17:31Z'));
    assert.equal(a.sent.offsetMinutes, 0);
    const info = a.infos[0]!;
    assert.deepEqual([info.urgency, info.severity, info.certainty], ['Past', 'Unknown', 'Unlikely']);
    assert.deepEqual(info.responseTypes, ['None']);
    assert.equal(info.onset!.epochMs, a.sent.epochMs);
    assert.equal(info.expires!.epochMs, a.sent.epochMs, 'already expired on arrival');
    const ugc = info.parameters.find((p) => p.valueName === 'NWSUGC')!;
    assert.equal(ugc.value, 'BCZ220-210-922-912-921-911-110-AKZ026>029-023-024-019>022-025-051258-');
    assert.deepEqual(info.areas[0]!.circles, [{ center: { lat: 55.3, lon: -134.9 }, radiusKm: 0 }]);
    assert.equal(a.hasSignature, true, 'a default-namespace <Signature> in the XML-DSig namespace');
  });

  it('IPAWS local area emergency: a 41-pair polygon, a SAME county, an inline resource', () => {
    const a = parseCap(capSample('07'));
    assert.equal(a.identifier, '402013233923688');
    assert.equal(a.sender, '402013233923688');
    const info = a.infos[0]!;
    assert.equal(info.event, 'Local Area Emergency');
    assert.equal(info.severity, 'Extreme');
    assert.equal(info.senderName, 'Montgomery County MD');
    assert.equal(info.headline, 'Alert Montgomery - Police Searching for Suspicious Person');
    assert.equal(info.expires!.epochMs, ms('2019-12-13T22:24:50Z'));
    assert.equal(
      info.parameters.find((p) => p.valueName === 'CMAMtext')!.value,
      'Police looking for white male/black long coat near Rockville theater. Call 911 if seen.',
    );
    assert.equal(info.parameters.filter((p) => p.valueName === 'BLOCKCHANNEL').length, 4);
    const area = info.areas[0]!;
    assert.equal(area.areaDesc, 'Montgomery County');
    assert.deepEqual(area.geocodes, [{ valueName: 'SAME', value: '024031' }]);
    const ring = area.polygons[0]!.points;
    assert.equal(ring.length, 41);
    assert.deepEqual(ring[0], { lat: 39.09930403047015, lon: -77.12967945345733 });
    assert.deepEqual(ring[40], ring[0]);
    const resource = info.resources[0]!;
    assert.equal(resource.mimeType, 'image/jpeg');
    assert.ok(Buffer.from(resource.derefUri!, 'base64').subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])), 'a JPEG');
    assert.equal(a.hasSignature, true);
  });
});
