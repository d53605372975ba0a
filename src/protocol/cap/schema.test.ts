/**
 * parseCap against libxml2 with the OASIS CAP 1.2 schema (xmllint-wasm): the real samples
 * are valid for both, and documents broken in the ways the schema can see are refused by
 * both, Carillon naming the element.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateXML } from 'xmllint-wasm';
import { CapInvalidError } from './errors.ts';
import { parseCap } from './parse.ts';
import { capSample, capSampleNames, capSchema } from '../../../test/alerts/cap-vectors.ts';

async function xsdValid(xml: string): Promise<boolean> {
  const result = await validateXML({ xml: { fileName: 'alert.xml', contents: xml }, schema: { fileName: 'cap12.xsd', contents: capSchema() }, maxMemoryPages: 1024 });
  return result.valid;
}

function carillonRefuses(xml: string): CapInvalidError {
  try {
    parseCap(xml);
  } catch (err) {
    assert.ok(err instanceof CapInvalidError, `expected CapInvalidError, got ${String(err)}`);
    return err;
  }
  assert.fail('parseCap accepted the document');
}

describe('CAP 1.2 schema and parseCap agree', () => {
  it('every sample is valid per cap12.xsd and parses', async () => {
    for (const name of capSampleNames()) {
      const xml = capSample(name.slice(0, 2)).toString('utf8');
      assert.equal(await xsdValid(xml), true, `${name} valid per the XSD`);
      assert.doesNotThrow(() => parseCap(xml), name);
    }
  });

  const a2 = () => capSample('02').toString('utf8');
  const broken: Array<[string, (xml: string) => string, string, string]> = [
    ['no identifier', (x) => x.replace(/<identifier>[^<]*<\/identifier>/, ''), 'missing', '/alert/identifier'],
    ['status outside the list', (x) => x.replace('<status>Actual', '<status>Real'), 'enumeration', '/alert/status'],
    ['msgType outside the list', (x) => x.replace('<msgType>Alert', '<msgType>Warning'), 'enumeration', '/alert/msgType'],
    ['sent without an offset', (x) => x.replace('2003-06-17T14:57:00-07:00</sent>', '2003-06-17T14:57:00</sent>'), 'format', '/alert/sent'],
    ['a second identifier', (x) => x.replace('</identifier>', '</identifier><identifier>again</identifier>'), 'duplicate', '/alert/identifier[1]'],
    ['no category', (x) => x.replace('<category>Met</category>', ''), 'missing', '/alert/info[0]/category'],
    ['category outside the list', (x) => x.replace('<category>Met', '<category>Weather'), 'enumeration', '/alert/info[0]/category[0]'],
    ['severity outside the list', (x) => x.replace('<severity>Severe', '<severity>Bad'), 'enumeration', '/alert/info[0]/severity'],
    ['no urgency', (x) => x.replace(/<urgency>[^<]*<\/urgency>/, ''), 'missing', '/alert/info[0]/urgency'],
    ['no areaDesc', (x) => x.replace(/<areaDesc>[^<]*<\/areaDesc>/, ''), 'missing', '/alert/info[0]/area[0]/areaDesc'],
    ['geocode without valueName', (x) => x.replace('<valueName>SAME</valueName>\n                <value>006009', '<value>006009'), 'missing', '/alert/info[0]/area[0]/geocode[1]/valueName'],
    ['expires that is not a time', (x) => x.replace('2003-06-17T16:00:00-07:00', 'tomorrow'), 'format', '/alert/info[0]/expires'],
    ['alert out of the CAP namespace', (x) => x.replace('urn:oasis:names:tc:emergency:cap:1.2', 'urn:example:cap'), 'namespace', '/alert'],
  ];
  for (const [what, mutate, reason, element] of broken) {
    it(`refuses ${what}, as the schema does, naming ${element}`, async () => {
      const xml = mutate(a2());
      assert.notEqual(xml, a2(), 'the mutation changed the document');
      assert.equal(await xsdValid(xml), false, 'invalid per the XSD');
      const err = carillonRefuses(xml);
      assert.equal(err.reason, reason);
      assert.equal(err.element, element);
      assert.ok(err.message.startsWith(`${element}: `), err.message);
    });
  }

  // Rules the schema cannot express but the standard's text states (CAP 1.2 §3.2).
  const beyond: Array<[string, (xml: string) => string, string, string]> = [
    ['a polygon with a latitude past 90', (x) => x.replace('38.47,-120.14 38.34', '98.47,-120.14 38.34'), 'format', '/alert/info[0]/area[0]/polygon[0]'],
    ['a polygon of two points', (x) => x.replace(/<polygon>[^<]*</, '<polygon>38.47,-120.14 38.34,-119.95<'), 'format', '/alert/info[0]/area[0]/polygon[0]'],
    ['an identifier with a space', (x) => x.replace('<identifier>KSTO1055887203', '<identifier>KSTO 1055887203'), 'format', '/alert/identifier'],
    ['scope Private with no addresses', (x) => x.replace('<scope>Public', '<scope>Private'), 'missing', '/alert/addresses'],
    ['a reference that is not sender,identifier,sent', (x) => x.replace('<scope>Public</scope>', '<scope>Public</scope><references>a,b,yesterday</references>'), 'format', '/alert/references'],
  ];
  for (const [what, mutate, reason, element] of beyond) {
    it(`refuses ${what}, naming ${element}`, () => {
      const err = carillonRefuses(mutate(a2()));
      assert.equal(err.reason, reason);
      assert.equal(err.element, element);
    });
  }
});
