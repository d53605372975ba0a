/**
 * The journey list is cursor paged, newest first, like the other lists: every journey once
 * across the pages, `next` null on the last, a cursor not issued by the server refused with
 * `invalid_cursor`, a limit out of range with `invalid_request`. On SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import type { App } from './journey-fixture.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');

for (const kind of STORES) {
  describe(`journeys: the list, by cursor (${kind})`, { timeout: 60_000 }, () => {
    let c: TestCarillon;
    let app: App;
    let clock = T0;
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
    });

    test('seven journeys, three a page: newest first, each once, then no next page', async () => {
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        // Two of them saved at the same instant: the id orders them.
        if (i !== 4) clock += 1_000;
        const res = await call('POST', '/journeys', { name: `j${i}`, trigger: { event: 'e' }, steps: [{ send: { content: { en: { title: 'hi' } } } }] });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        made.push(res.body.id);
      }
      const seen: string[][] = [];
      let cursor: string | null = null;
      do {
        const res = await call('GET', `/journeys?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(res.body.data.map((j: { id: string }) => j.id));
        cursor = res.body.next;
      } while (cursor !== null && seen.length < 5);
      assert.deepEqual(seen.map((p) => p.length), [3, 3, 1]);
      const byAge = (await Promise.all(made.map(async (id) => (await call('GET', `/journeys/${id}`)).body))).sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((j) => j.id);
      assert.deepEqual(seen.flat(), byAge, 'newest first, each once');
      const all = await call('GET', '/journeys');
      assert.equal(all.body.data.length, 7);
      assert.equal(all.body.next, null);
    });

    test('a cursor not issued by the server, or a limit out of range, is refused', async () => {
      for (const [query, status, code] of [
        ['cursor=bm9wZQ', 400, 'invalid_cursor'],
        [`cursor=${Buffer.from('j1:1:cmp_x').toString('base64url')}`, 400, 'invalid_cursor'],
        ['limit=0', 400, 'invalid_request'],
        ['limit=1001', 400, 'invalid_request'],
      ] as const) {
        const res = await call('GET', `/journeys?${query}`);
        assert.equal(res.status, status, `${query}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.body.code, code, `${query}: ${JSON.stringify(res.body)}`);
      }
    });
  });
}
