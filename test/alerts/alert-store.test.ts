import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { alertReferences, findAlert, ingestAlert } from '../../src/alerts/alert-store.ts';
import { parseCap } from '../../src/protocol/cap/parse.ts';
import { capSample } from './cap-vectors.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { STORES, createTestDatabase } from '../support/carillon.ts';
import { capXml, type CapFields } from './cap-builder.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

/** The alert store on each database: identity, references, tombstones, who an alert is for. */
for (const kind of STORES) {
  describe(`alert store (${kind})`, () => {
    let store: Store;
    let dir: string;
    let appN = 0;
    let app: string;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'carillon-alerts-'));
      store = await openStore(kind === 'sqlite' ? { dataDir: dir } : { databaseUrl: await createTestDatabase(), dataDir: dir });
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const newApp = async () => {
      app = `app_${++appN}`;
      await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values (${app}, ${app}, 'k', 'k', 'mailto:a@b.c', 0)`.execute(store.db);
    };
    const ingestXml = (xml: string | Buffer, receivedAt = NOW) => ingestAlert(store, app, parseCap(xml), { receivedAt, capXml: xml.toString() });
    const ingest = (f: CapFields, receivedAt = NOW) => ingestXml(capXml(f), receivedAt);
    const get = async (id: string) => (await findAlert(store.db, app, id))!;

    test('an alert is stored once per (sender, identifier, sent), however sent is written', async () => {
      await newApp();
      const first = await ingest({ identifier: 'A1', sent: '2026-12-01T10:00:00-00:00' });
      assert.equal(first.created, true);
      assert.equal(first.row.disposition, 'public');
      const again = await ingest({ identifier: 'A1', sent: '2026-12-01T10:00:00Z' });
      assert.deepEqual([again.created, again.row.id], [false, first.row.id]);
      const otherSent = await ingest({ identifier: 'A1', sent: '2026-12-01T10:05:00Z' });
      const otherSender = await ingest({ identifier: 'A1', sender: 'x@other.example' });
      assert.equal(otherSent.created && otherSender.created, true);
      const count = await store.db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', app).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 3);
    });

    test('who an alert is for: Actual+Public the public, Exercise and Test testers, System and Draft no one, expired archived', async () => {
      await newApp();
      const cases: Array<[CapFields, string]> = [
        [{ identifier: 'P' }, 'public'],
        [{ identifier: 'E', status: 'Exercise' }, 'testers'],
        [{ identifier: 'T', status: 'Test' }, 'testers'],
        [{ identifier: 'S', status: 'System' }, 'none'],
        [{ identifier: 'D', status: 'Draft' }, 'none'],
        [{ identifier: 'R', scope: 'Restricted' }, 'none'],
        [{ identifier: 'K', msgType: 'Ack' }, 'none'],
        [{ identifier: 'X', expires: '2026-12-01T11:59:59Z' }, 'archived'],
        [{ identifier: 'F', expires: '2026-12-01T12:30:00Z' }, 'public'],
      ];
      for (const [fields, disposition] of cases) assert.equal((await ingest(fields)).row.disposition, disposition, fields.identifier);
      // The NTWC tsunami message: expires equals sent, so it is archived on arrival.
      const tsunami = await ingestXml(capSample('06'), Date.parse('2013-01-05T10:58:30Z'));
      assert.equal(tsunami.row.disposition, 'archived');
    });

    test('an Update replaces the alert it references (the A.3 earthquake)', async () => {
      await newApp();
      const original = await ingest({ identifier: 'TRI13970876.1', sender: 'trinet@caltech.edu', sent: '2003-06-11T20:30:00-07:00' }, Date.parse('2003-06-12T03:31:00Z'));
      const update = await ingestXml(capSample('03'), Date.parse('2003-06-12T03:57:00Z'));
      assert.equal(update.row.disposition, 'public');
      const replaced = await get(original.row.id);
      assert.deepEqual([replaced.disposition, replaced.replaced_by], ['replaced', update.row.id]);
      assert.deepEqual(await alertReferences(store.db, update.row.id), [
        { sender: 'trinet@caltech.edu', identifier: 'TRI13970876.1', sentAt: Date.parse('2003-06-12T03:30:00Z'), alertId: original.row.id },
      ]);
    });

    test('a Cancel that arrives before its original leaves a tombstone: the original is stored cancelled (the IPAWS Cancel)', async () => {
      await newApp();
      const cancel = await ingestXml(capSample('05'), Date.parse('2019-04-19T17:47:00Z'));
      assert.equal(cancel.row.msg_type, 'Cancel');
      const [tombstone] = await alertReferences(store.db, cancel.row.id);
      assert.deepEqual(tombstone, { sender: 'bbrundage@dps.state.nv.us', identifier: 'AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd', sentAt: Date.parse('2019-04-18T18:02:32Z'), alertId: null });
      const late = await ingest({ identifier: 'AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd', sender: 'bbrundage@dps.state.nv.us', sent: '2019-04-18T12:02:32-06:00' }, Date.parse('2019-04-19T17:48:00Z'));
      assert.equal(late.created, true);
      assert.deepEqual([late.row.disposition, late.row.cancelled_by], ['cancelled', cancel.row.id]);
      assert.equal((await alertReferences(store.db, cancel.row.id))[0]!.alertId, late.row.id);
    });

    test('an Update with three references: the ones seen are replaced, the rest wait, a late one is replaced on arrival (NTWC)', async () => {
      await newApp();
      const at = Date.parse('2013-01-05T11:00:00Z');
      const first = await ingest({ identifier: 'PAAQ-1-mg5a94', sender: 'wcatwc@noaa.gov', sent: '2013-01-05T09:01:16-00:00', expires: '2013-01-06T00:00:00Z' }, at);
      const update = await ingestXml(capSample('06'), at);
      const refs = await alertReferences(store.db, update.row.id);
      assert.deepEqual(refs.map((r) => r.alertId), [first.row.id, null, null]);
      assert.equal((await get(first.row.id)).disposition, 'replaced');
      const second = await ingest({ identifier: 'PAAQ-2-mg5a94', sender: 'wcatwc@noaa.gov', sent: '2013-01-05T09:30:16-00:00', expires: '2013-01-06T00:00:00Z' }, at);
      assert.deepEqual([second.row.disposition, second.row.replaced_by], ['replaced', update.row.id]);
      assert.deepEqual((await alertReferences(store.db, update.row.id)).map((r) => r.alertId), [first.row.id, second.row.id, null]);
    });

    test('a bare identifier in references names the sender’s own latest alert, and never another sender’s', async () => {
      await newApp();
      const mine = await ingest({ identifier: 'B1', sender: 'a@city.example', sent: '2026-12-01T09:00:00Z' });
      const theirs = await ingest({ identifier: 'B1', sender: 'b@other.example', sent: '2026-12-01T09:00:00Z' });
      const cancel = await ingest({ identifier: 'B1-cancel', sender: 'a@city.example', msgType: 'Cancel', references: 'B1', info: false });
      assert.equal((await get(mine.row.id)).disposition, 'cancelled');
      assert.equal((await get(theirs.row.id)).disposition, 'public');
      assert.equal((await alertReferences(store.db, cancel.row.id))[0]!.alertId, mine.row.id);
    });

    test('an Update that keeps the original’s identifier and names it bare replaces the original, not itself', async () => {
      await newApp();
      const original = await ingest({ identifier: 'SAME-ID', sent: '2026-12-01T09:00:00Z' });
      const update = await ingest({ identifier: 'SAME-ID', sent: '2026-12-01T09:30:00Z', msgType: 'Update', references: 'SAME-ID' });
      assert.equal(update.created, true);
      assert.deepEqual([(await get(original.row.id)).disposition, (await get(update.row.id)).disposition], ['replaced', 'public']);
      assert.equal((await alertReferences(store.db, update.row.id))[0]!.alertId, original.row.id);
      // A bare reference never waits for an alert sent after the referrer.
      const cancel = await ingest({ identifier: 'LATER-cancel', msgType: 'Cancel', references: 'LATER', info: false, sent: '2026-12-01T09:00:00Z' });
      const later = await ingest({ identifier: 'LATER', sent: '2026-12-01T09:05:00Z' });
      assert.equal(later.row.disposition, 'public');
      assert.equal((await alertReferences(store.db, cancel.row.id))[0]!.alertId, null);
    });

    test('a reference acts only between alerts of one status: a Test Cancel leaves an Actual alert alone', async () => {
      await newApp();
      const actual = await ingest({ identifier: 'S1' });
      await ingest({ identifier: 'S1-test-cancel', msgType: 'Cancel', status: 'Test', references: 'w@nws.example,S1,2026-12-01T10:00:00-00:00', info: false });
      assert.equal((await get(actual.row.id)).disposition, 'public');
      await ingest({ identifier: 'S1-cancel', msgType: 'Cancel', references: 'w@nws.example,S1,2026-12-01T10:00:00-00:00', info: false });
      assert.equal((await get(actual.row.id)).disposition, 'cancelled');
      // Cancelled stays cancelled: a later Update of it does not bring it back.
      await ingest({ identifier: 'S1-update', msgType: 'Update', references: 'w@nws.example,S1,2026-12-01T10:00:00-00:00', sent: '2026-12-01T10:10:00Z' });
      assert.equal((await get(actual.row.id)).disposition, 'cancelled');
    });

    test('a Cancel and its original arriving at the same moment: the original always ends cancelled', async () => {
      await newApp();
      for (let i = 0; i < 20; i++) {
        const id = `RACE-${i}`;
        const [original] = await Promise.all([
          ingest({ identifier: id }),
          ingest({ identifier: `${id}-cancel`, msgType: 'Cancel', references: `w@nws.example,${id},2026-12-01T10:00:00-00:00`, info: false }),
        ]);
        assert.equal((await get(original.row.id)).disposition, 'cancelled', `round ${i}`);
      }
    });

    test('alerts of one app are not seen from another', async () => {
      await newApp();
      const a = await ingest({ identifier: 'Z1' });
      const appA = app;
      await newApp();
      const b = await ingest({ identifier: 'Z1' });
      assert.equal(b.created, true);
      assert.notEqual(a.row.id, b.row.id);
      assert.equal(await findAlert(store.db, app, a.row.id), undefined);
      assert.ok(await findAlert(store.db, appA, a.row.id));
    });
  });
}
