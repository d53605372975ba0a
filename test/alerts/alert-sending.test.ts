/**
 * Sending civic alerts end to end, on SQLite and PostgreSQL: a CAP alert posted reaches
 * the users in its area (located by point, or by a zone they picked) through the fan-out
 * to the loopback push service, each in their language; testers only for an Exercise;
 * no one for a Draft or an alert expired on arrival; an Update and a Cancel replace the
 * notification on the device (same Topic and tag); a Cancel stops what is left of the
 * cancelled alert's fan-out, each recipient accounted for.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';
import { capXml } from './cap-builder.ts';

const NOW = Date.parse('2026-12-01T10:05:00Z');
const INSIDE = { lat: 38.5, lon: -120.0 };
const OUTSIDE = { lat: 40.0, lon: -120.0 };

/** A two-language alert (en-US, es-US) over a 10 km circle and the zone SAME:006109. */
function bilingual(f: { identifier: string; severity?: string; urgency?: string; msgType?: string; references?: string; status?: string; description?: string; sent?: string }) {
  const info = (lang: string, headline: string, description: string) =>
    `<info><language>${lang}</language><category>Met</category><event>Flood</event><urgency>${f.urgency ?? 'Immediate'}</urgency><severity>${f.severity ?? 'Severe'}</severity><certainty>Observed</certainty>` +
    `<expires>2026-12-01T20:00:00-00:00</expires><headline>${headline}</headline><description>${description}</description><instruction>Move to higher ground.</instruction>` +
    `<area><areaDesc>Valley</areaDesc><circle>38.5,-120.0 10</circle><geocode><valueName>SAME</valueName><value>006109</value></geocode></area></info>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${f.identifier}</identifier><sender>w@nws.example</sender>` +
    `<sent>${f.sent ?? '2026-12-01T10:00:00-00:00'}</sent><status>${f.status ?? 'Actual'}</status><msgType>${f.msgType ?? 'Alert'}</msgType><scope>Public</scope>` +
    `${f.references ? `<references>${f.references}</references>` : ''}` +
    info('en-US', `Flood warning ${f.identifier}`, f.description ?? 'The river is rising.') +
    info('es-US', `Aviso de inundación ${f.identifier}`, 'El río está subiendo.') +
    `</alert>`
  );
}

for (const kind of STORES) {
  describe(`sending civic alerts (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const now = NOW;
    const subs = new Map<string, SinkSubscription>();

    const user = async (id: string, body: Record<string, unknown>) => {
      const res = await c.api('PUT', `/v1/apps/${app.id}/users/${id}`, { key: app.secretKey, body });
      assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.body));
      const s = sink.subscribe();
      const reg = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: id }) });
      assert.equal(reg.status, 201, JSON.stringify(reg.body));
      subs.set(id, s);
    };
    const post = async (xml: string, query = '') => {
      const res = await c.api('POST', `/v1/apps/${app.id}/alerts${query}`, { key: app.secretKey, body: xml, headers: { 'content-type': 'application/cap+xml' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const get = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/alerts/${id}`, { key: app.secretKey })).body;
    /** Each user's pushes of one notification, by user id. */
    const pushesOf = (notificationId: string) => {
      const out: Record<string, any[]> = {};
      for (const [id, s] of subs) {
        const got = sink.receivedFor(s.id).filter((r) => (r.json as any)?.notification?.data?.id === notificationId);
        if (got.length) out[id] = got;
      }
      return out;
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 2, publicUrl: 'https://alerts.example' }, { now: () => now });
      // The push service checks VAPID expiry on the same clock as Carillon signs it: the wall clock would refuse a token the injected morning signed.
      sink = await startPushSink({ now: () => Math.floor(now / 1000) });
      app = await c.createApp();
      await user('ana', { language: 'es-MX', location: INSIDE });
      await user('bob', { language: 'en-GB', location: INSIDE });
      await user('cat', { language: 'en-US', location: INSIDE });
      await user('dan', { language: 'en-US', location: OUTSIDE });
      await user('eve', { language: 'fr-FR' });
      await user('fay', { language: 'en-US' });
      await c.ctx.store.db.insertInto('user_alert_zones').values({ app_id: app.id, external_id: 'eve', zone: 'SAME:006109' }).execute();
      const off = await c.api('PUT', `/v1/apps/${app.id}/users/cat/preferences`, { key: app.secretKey, body: { civic: false } });
      assert.equal(off.status, 200, JSON.stringify(off.body));
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a Severe alert reaches the users of its area in their language, at high urgency; the one who turned civic off is counted suppressed', async () => {
      const alert = await post(bilingual({ identifier: 'FLOOD-1' }));
      assert.equal(alert.disposition, 'public');
      assert.equal(alert.notification.kind, 'alert');
      assert.equal(alert.notification.thread, alert.id);
      const status = await c.waitCompleted(app.id, app.secretKey, alert.notification.id);
      const pushes = pushesOf(alert.notification.id);
      assert.deepEqual(Object.keys(pushes).sort(), ['ana', 'bob', 'eve'], 'dan is outside, fay has no location and no zone, cat turned civic off');
      const ana = pushes.ana![0]!;
      assert.equal(ana.json.notification.title, 'Aviso de inundación FLOOD-1');
      assert.equal(ana.json.notification.lang, 'es-US');
      assert.equal(pushes.bob![0]!.json.notification.title, 'Flood warning FLOOD-1');
      assert.equal(pushes.eve![0]!.json.notification.title, 'Flood warning FLOOD-1', 'no French info: en-US');
      assert.equal(pushes.bob![0]!.json.notification.body, 'The river is rising.\n\nMove to higher ground.');
      assert.deepEqual([ana.headers.urgency, ana.headers.topic, ana.json.notification.tag, ana.json.notification.require_interaction], ['high', alert.id, alert.id, true]);
      assert.equal(ana.json.notification.navigate, `https://alerts.example/public/apps/${app.id}/alerts/${alert.id}`);
      assert.deepEqual([status.counts.targeted, status.counts.delivered, status.counts.suppressed, status.suppressed], [3, 3, 1, { preference_off: 1 }]);
      const shown = await get(alert.id);
      assert.equal(shown.notification.id, alert.notification.id);
      assert.deepEqual([shown.sending.status, shown.sending.topPriority, shown.sending.counts.delivered, shown.sending.suppressed], ['completed', true, 3, { preference_off: 1 }]);
    });

    test('an Extreme alert reaches the user who turned civic off; a wide one (reach=area_and_unlocated) reaches users without a location', async () => {
      const extreme = await post(bilingual({ identifier: 'FLOOD-X', severity: 'Extreme' }), '?reach=area_and_unlocated');
      await c.waitCompleted(app.id, app.secretKey, extreme.notification.id);
      assert.deepEqual(Object.keys(pushesOf(extreme.notification.id)).sort(), ['ana', 'bob', 'cat', 'eve', 'fay']);
    });

    test('an Exercise reaches only testers; a Draft and an alert expired on arrival are sent to no one', async () => {
      await c.ctx.store.db.insertInto('alert_testers').values({ app_id: app.id, external_id: 'bob', opted_in_at: now }).execute();
      const exercise = await post(bilingual({ identifier: 'EX-1', status: 'Exercise' }));
      assert.equal(exercise.disposition, 'testers');
      await c.waitCompleted(app.id, app.secretKey, exercise.notification.id);
      assert.deepEqual(Object.keys(pushesOf(exercise.notification.id)), ['bob']);
      const draft = await post(capXml({ identifier: 'DRAFT-1', status: 'Draft' }));
      const expired = await post(capXml({ identifier: 'OLD-1', expires: '2026-12-01T10:01:00-00:00' }));
      assert.deepEqual([draft.disposition, draft.notification, expired.disposition, expired.notification], ['none', null, 'archived', null]);
      assert.equal((await c.ctx.store.db.selectFrom('alert_notifications').select('alert_id').where('alert_id', 'in', [draft.id, expired.id]).execute()).length, 0);
    });

    test('an Update and then a Cancel carry the same Topic and tag as the original: each replaces it on the device', async () => {
      const original = await post(bilingual({ identifier: 'FLOOD-2' }));
      await c.waitCompleted(app.id, app.secretKey, original.notification.id);
      const update = await post(bilingual({ identifier: 'FLOOD-2U', msgType: 'Update', references: 'w@nws.example,FLOOD-2,2026-12-01T10:00:00-00:00', sent: '2026-12-01T10:02:00-00:00', description: 'The river has crested.' }));
      assert.equal(update.notification.thread, original.id);
      await c.waitCompleted(app.id, app.secretKey, update.notification.id);
      const cancel = await post(capXml({ identifier: 'FLOOD-2C', sender: 'w@nws.example', msgType: 'Cancel', info: false, references: 'w@nws.example,FLOOD-2U,2026-12-01T10:02:00-00:00', sent: '2026-12-01T10:04:00-00:00' }));
      assert.deepEqual([cancel.notification.kind, cancel.notification.thread], ['all_clear', original.id]);
      await c.waitCompleted(app.id, app.secretKey, cancel.notification.id);
      const bob = [original, update, cancel].map((a) => pushesOf(a.notification.id).bob![0]!);
      assert.deepEqual(bob.map((p) => p.headers.topic), [original.id, original.id, original.id]);
      assert.deepEqual(bob.map((p) => p.json.notification.tag), [original.id, original.id, original.id]);
      assert.equal(bob[1]!.json.notification.body, 'The river has crested.\n\nMove to higher ground.');
      assert.deepEqual([bob[2]!.json.notification.title, bob[2]!.json.notification.body], ['Flood warning FLOOD-2U', 'All clear: this alert has been cancelled.']);
      assert.equal(pushesOf(cancel.notification.id).ana![0]!.json.notification.body, 'Fin de la alerta: esta alerta ha sido cancelada.');
    });

    test('a Cancel that arrives while the fan-out is in flight stops it: the rest are recorded alert_cancelled and get the all-clear', async () => {
      await c.ctx.queue.stop();
      const original = await post(bilingual({ identifier: 'FLOOD-3' }));
      const cancel = await post(capXml({ identifier: 'FLOOD-3C', sender: 'w@nws.example', msgType: 'Cancel', info: false, references: 'w@nws.example,FLOOD-3,2026-12-01T10:00:00-00:00', sent: '2026-12-01T10:03:00-00:00' }));
      assert.equal((await get(original.id)).disposition, 'cancelled');
      c.startWorkers();
      const stopped = await c.waitCompleted(app.id, app.secretKey, original.notification.id);
      await c.waitCompleted(app.id, app.secretKey, cancel.notification.id);
      assert.deepEqual(pushesOf(original.notification.id), {}, 'nothing of the cancelled alert went out');
      assert.deepEqual([stopped.counts.delivered, stopped.suppressed], [0, { preference_off: 1, alert_cancelled: 3 }]);
      const records = await c.ctx.store.db.selectFrom('send_records').select(['reason', 'detail']).where('notification_id', '=', original.notification.id).where('reason', '=', 'alert_cancelled').execute();
      assert.deepEqual(records.map((r) => r.detail), Array(3).fill(`cancelled by ${cancel.id}`));
      assert.deepEqual(Object.keys(pushesOf(cancel.notification.id)).sort(), ['ana', 'bob', 'eve']);
    });
    test('a geocode reaches users who picked it and users located in the polygon of the app\'s table, by the backend\'s location or a shared one', async () => {
      // A postcode around OUTSIDE (dan, located by the backend), and two users set up through the API alone.
      const square = [[[-120.1, 39.9], [-119.9, 39.9], [-119.9, 40.1], [-120.1, 40.1], [-120.1, 39.9]]];
      const table = await c.api('PUT', `/v1/apps/${app.id}/geocode-tables/POSTCODE?codeProperty=code`, { key: app.secretKey, body: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '95370' }, geometry: { type: 'Polygon', coordinates: square } }] } });
      assert.equal(table.status, 200, JSON.stringify(table.body));
      await user('gil', { language: 'en-US' });
      await user('hal', { language: 'en-US' });
      const picked = await c.api('PUT', `/v1/apps/${app.id}/users/gil/alert-choices`, { key: app.secretKey, body: { zones: [{ valueName: 'POSTCODE', value: '95370' }] } });
      assert.equal(picked.status, 200, JSON.stringify(picked.body));
      const shared = await c.api('PUT', `/v1/apps/${app.id}/users/hal/alert-location`, { key: app.secretKey, body: { lat: 40.0, lon: -120.05 } });
      assert.equal(shared.status, 200, JSON.stringify(shared.body));
      const alert = await post(capXml({ identifier: 'ZIP-1', area: '<geocode><valueName>POSTCODE</valueName><value>95370</value></geocode>' }));
      await c.waitCompleted(app.id, app.secretKey, alert.notification.id);
      assert.deepEqual(Object.keys(pushesOf(alert.notification.id)).sort(), ['dan', 'gil', 'hal']);
      const wide = await post(capXml({ identifier: 'ZIP-2', area: '<geocode><valueName>POSTCODE</valueName><value>95370</value></geocode>' }), '?reach=area_and_unlocated');
      await c.waitCompleted(app.id, app.secretKey, wide.notification.id);
      assert.deepEqual(Object.keys(pushesOf(wide.notification.id)).sort(), ['dan', 'eve', 'fay', 'gil', 'hal'], 'and every user without a location: eve, fay, gil');
    });
  });
}
