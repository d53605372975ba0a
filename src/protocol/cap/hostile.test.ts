import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CapError, CapInvalidError, CapMalformedError, CapRefusedError } from './errors.ts';
import { parseCap } from './parse.ts';
import { capSample } from '../../../test/alerts/cap-vectors.ts';

const NS = 'urn:oasis:names:tc:emergency:cap:1.2';
const header = (extra = '') =>
  `<identifier>X1</identifier><sender>a@b.example</sender><sent>2024-05-01T10:00:00-00:00</sent>` +
  `<status>Actual</status><msgType>Alert</msgType><scope>Public</scope>${extra}`;
const info = (inner = '') =>
  `<info><category>Met</category><event>Storm</event><urgency>Immediate</urgency><severity>Severe</severity>` +
  `<certainty>Observed</certainty>${inner}</info>`;
const alert = (body: string, ns = NS) => `<alert xmlns="${ns}">${body}</alert>`;

function refused<T extends CapError>(input: string | Uint8Array, type: new (...args: never[]) => T, reason?: string): T {
  try {
    parseCap(input);
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    if (reason !== undefined) assert.equal(err.reason, reason);
    return err;
  }
  assert.fail('parseCap accepted the document');
}

describe('parseCap refuses hostile XML', () => {
  it('refuses an external entity (XXE) without reading the file', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + alert(header().replace('X1', '&xxe;'));
    const err = refused(xxe, CapRefusedError, 'doctype');
    assert.doesNotMatch(err.message, /root:/);
  });

  it('refuses billion laughs before any expansion', () => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i < 10; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const bomb = `<?xml version="1.0"?><!DOCTYPE alert [${dtd}]>` + alert(header(`<note>&lol9;</note>`));
    refused(bomb, CapRefusedError, 'doctype');
  });

  it('refuses a DTD however it is written, and a parameter entity', () => {
    refused(`<!doctype alert SYSTEM "http://evil.example/x.dtd">${alert(header())}`, CapRefusedError, 'doctype');
    refused(`${alert(header())}<!ENTITY % p SYSTEM "http://evil.example/">`, CapRefusedError, 'doctype');
  });

  it('refuses a reference to an entity nobody declared, naming it', () => {
    const err = refused(alert(header('<note>&nbsp;</note>')), CapRefusedError, 'entity');
    assert.match(err.message, /&nbsp;/);
  });

  it('refuses nesting deeper than CAP needs', () => {
    const deep = alert(header(`<x>`.repeat(500) + `</x>`.repeat(500)));
    refused(deep, CapRefusedError, 'too_deep');
  });

  it('refuses a document over the size limit', () => {
    const big = alert(header(`<note>${'a'.repeat(2000)}</note>`));
    assert.throws(() => parseCap(big, { maxBytes: 1000 }), (e: unknown) => e instanceof CapRefusedError && e.reason === 'too_large');
    assert.doesNotThrow(() => parseCap(big, { maxBytes: 4000 }));
  });

  it('refuses XML that is not well-formed, with its position', () => {
    const err = refused(`<alert xmlns="${NS}">\n<identifier>X</sender></alert>`, CapMalformedError);
    assert.equal(err.line, 2);
    refused('not xml at all', CapMalformedError);
    refused('', CapMalformedError);
    refused(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e]), CapMalformedError);
    refused(`<?xml version="1.0" encoding="ISO-8859-1"?>${alert(header())}`, CapMalformedError);
    refused(alert(header('<note>a & b</note>')), CapMalformedError);
    refused(alert(header('<note>&#0;</note>')), CapMalformedError);
  });

  it('refuses a document element other than <alert>, and a foreign namespace', () => {
    assert.equal(refused(`<feed xmlns="http://www.w3.org/2005/Atom"/>`, CapInvalidError, 'root').element, '/feed');
    assert.equal(refused(alert(header(), 'urn:oasis:names:tc:emergency:cap:1.0'), CapInvalidError, 'namespace').element, '/alert');
    refused(`<alert>${header()}</alert>`, CapInvalidError, 'namespace');
  });
});

describe('parseCap tolerates what real feeds send', () => {
  it('reads the CAP 1.1 namespace', () => {
    assert.equal(parseCap(alert(header(info()), 'urn:oasis:names:tc:emergency:cap:1.1')).version, '1.1');
  });

  it('reads elements in any order and a prefixed namespace', () => {
    const shuffled = `<cap:alert xmlns:cap="${NS}"><cap:scope>Public</cap:scope><cap:info><cap:certainty>Likely</cap:certainty>` +
      `<cap:event>Flood</cap:event><cap:severity>Minor</cap:severity><cap:category>Met</cap:category>` +
      `<cap:urgency>Future</cap:urgency></cap:info><cap:msgType>Alert</cap:msgType><cap:status>Test</cap:status>` +
      `<cap:sent>2024-05-01T10:00:00+02:00</cap:sent><cap:sender>s</cap:sender><cap:identifier>i</cap:identifier></cap:alert>`;
    const a = parseCap(shuffled);
    assert.deepEqual([a.identifier, a.sender, a.status, a.scope], ['i', 's', 'Test', 'Public']);
    assert.equal(a.sent.epochMs, Date.parse('2024-05-01T08:00:00Z'));
    assert.deepEqual([a.infos[0]!.event, a.infos[0]!.urgency], ['Flood', 'Future']);
  });

  it('passes over elements of other namespaces with CAP names', () => {
    const a = parseCap(alert(header(`<x:identifier xmlns:x="urn:other">other</x:identifier><note xmlns="urn:other">n</note>`)));
    assert.equal(a.identifier, 'X1');
    assert.equal(a.note, undefined);
  });

  it('reads a Z, a stray Z after the offset, and fractional seconds', () => {
    const sent = (t: string) => parseCap(alert(header().replace('2024-05-01T10:00:00-00:00', t))).sent;
    assert.equal(sent('2024-05-01T10:00:00Z').epochMs, Date.parse('2024-05-01T10:00:00Z'));
    assert.equal(sent('2024-05-01T10:00:00-05:00Z').epochMs, Date.parse('2024-05-01T15:00:00Z'));
    assert.equal(sent('2024-05-01T10:00:00.250+01:00').epochMs, Date.parse('2024-05-01T09:00:00.250Z'));
    for (const bad of ['2024-05-01T10:00:00', '2024-02-30T10:00:00Z', '2024-05-01 10:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T10:00:00+15:00']) {
      const err = refused(alert(header().replace('2024-05-01T10:00:00-00:00', bad)), CapInvalidError, 'format');
      assert.equal(err.element, '/alert/sent');
    }
  });

  it('reads polygons and circles with untidy white space, and closes an open ring', () => {
    const area = `<area><areaDesc>x</areaDesc><polygon>\n  38.47, -120.14\t38.34,-119.95\n\n 38.52 ,-119.74   38.62,-119.89 </polygon>` +
      `<circle> 32.9525 , -115.5527   2.5 </circle></area>`;
    const a = parseCap(alert(header(info(area))));
    const points = a.infos[0]!.areas[0]!.polygons[0]!.points;
    assert.equal(points.length, 5);
    assert.deepEqual(points[1], { lat: 38.34, lon: -119.95 });
    assert.deepEqual(points[4], points[0]);
    assert.deepEqual(a.infos[0]!.areas[0]!.circles[0], { center: { lat: 32.9525, lon: -115.5527 }, radiusKm: 2.5 });
    const err = refused(alert(header(info(`<area><areaDesc>x</areaDesc><circle>1,2</circle><circle>1,2 -3</circle></area>`))), CapInvalidError, 'format');
    assert.equal(err.element, '/alert/info[0]/area[0]/circle[0]');
  });

  it('names the area and polygon of a later info', () => {
    const good = `<area><areaDesc>a</areaDesc></area>`;
    const bad = `<area><areaDesc>b</areaDesc><polygon>1,1 2,2 3,3 1,1</polygon><polygon>1,1 2,x 3,3 1,1</polygon></area>`;
    const err = refused(alert(header(info(good) + info(good + bad))), CapInvalidError, 'format');
    assert.equal(err.element, '/alert/info[1]/area[1]/polygon[1]');
  });

  it('reads bare identifiers and sender,identifier in references', () => {
    const refs = parseCap(alert(header('<references>PAAQ-1 w@n.gov,PAAQ-2 w@n.gov,PAAQ-3,2013-01-05T09:01:16-00:00</references>'))).references;
    assert.deepEqual(refs.map((r) => [r.sender, r.identifier, r.sent?.epochMs]), [
      [undefined, 'PAAQ-1', undefined],
      ['w@n.gov', 'PAAQ-2', undefined],
      ['w@n.gov', 'PAAQ-3', Date.parse('2013-01-05T09:01:16Z')],
    ]);
  });

  it('reads CDATA as written and quoted multi-word addresses', () => {
    const a = parseCap(alert(header('<note><![CDATA[a &amp; <b>]]></note><addresses>one "two words" three</addresses>').replace('Public', 'Private')));
    assert.equal(a.note, 'a &amp; <b>');
    assert.deepEqual(a.addresses, ['one', 'two words', 'three']);
  });
});

describe('parseCap on random input (fast-check)', () => {
  const isOwn = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof CapError)) throw new Error(`threw ${String(err)}`, { cause: err });
    }
  };

  it('throws nothing but CapError on random strings and bytes', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => isOwn(() => parseCap(s))), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => isOwn(() => parseCap(b))), { numRuns: 1000 });
  });

  it('throws nothing but CapError on a real sample cut, spliced and corrupted', () => {
    const sample = capSample('06').toString('utf8');
    const pieces = fc.constantFrom('<', '>', '&', '&amp;', '&#x0;', '<!DOCTYPE', ']]>', '<![CDATA[', '</info>', '<info>', '"', 'xmlns:a="x"', '<a:b>', '\u0000', '\uFFFF', '<polygon>1,2 3</polygon>', '-00:00Z');
    fc.assert(
      fc.property(fc.nat(sample.length), fc.nat(sample.length), fc.array(pieces, { maxLength: 4 }), (i, j, insert) => {
        const [from, to] = i <= j ? [i, j] : [j, i];
        isOwn(() => parseCap(sample.slice(0, from) + insert.join('') + sample.slice(to)));
      }),
      { numRuns: 1500 },
    );
  });

  it('reads any polygon it is given back to the same points', () => {
    const pt = fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lon: fc.double({ min: -180, max: 180, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(pt, { minLength: 3, maxLength: 12 }), fc.constantFrom(' ', '\n', '  \t'), (points, sep) => {
        const fmt = (p: { lat: number; lon: number }) => `${p.lat.toFixed(6)},${p.lon.toFixed(6)}`;
        const rounded = points.map((p) => ({ lat: Number(p.lat.toFixed(6)), lon: Number(p.lon.toFixed(6)) }));
        const text = [...points, points[0]!].map(fmt).join(sep);
        const a = parseCap(alert(header(info(`<area><areaDesc>x</areaDesc><polygon>${text}</polygon></area>`))));
        assert.deepEqual(a.infos[0]!.areas[0]!.polygons[0]!.points, [...rounded, rounded[0]]);
      }),
      { numRuns: 300 },
    );
  });
});
