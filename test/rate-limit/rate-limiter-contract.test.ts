/**
 * One contract for both rate limiters: the memory one of the embedded set-up and the
 * Redis one that all workers of a scale-out share. Two limiter instances on one backend
 * stand for two workers; on Redis they are two connections, as two machines would have.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { MemoryRateLimiter, type RateLimiter } from '../../src/rate-limit/rate-limiter.ts';
import { RedisRateLimiter } from '../../src/rate-limit/redis-rate-limiter.ts';
import { testRedisUrl } from '../support/carillon.ts';

interface LimiterSetup {
  name: string;
  /** Two workers' limiters on one backend. */
  pair(): [RateLimiter, RateLimiter];
}

const SETUPS: LimiterSetup[] = [
  {
    name: 'memory',
    pair() {
      const one = new MemoryRateLimiter();
      return [one, one];
    },
  },
  {
    name: 'redis',
    pair() {
      const prefix = `t_${randomBytes(6).toString('hex')}`;
      const make = () => new RedisRateLimiter({ redisUrl: testRedisUrl(), prefix, logger: pino({ level: 'silent' }) });
      return [make(), make()];
    },
  },
];

for (const setup of SETUPS) {
  describe(`rate limiter contract: ${setup.name}`, () => {
    const opened: RateLimiter[] = [];
    const pair = () => {
      const limiters = setup.pair();
      opened.push(...limiters);
      return limiters;
    };
    after(async () => {
      await Promise.all([...new Set(opened)].map((l) => l.close()));
    });

    test('a full bucket gives one second of tokens, shared by every worker, then asks to wait', async () => {
      const [a, b] = pair();
      // 2 a second: the bucket holds 2, and the next token comes after 500 ms.
      assert.equal(await a.take('origin', 1, 2), 0);
      assert.equal(await b.take('origin', 1, 2), 0, 'the second worker takes the second token');
      const wait = await a.take('origin', 1, 2);
      assert.ok(wait > 0 && wait <= 500, `waits for the next token, got ${wait} ms`);
      const waitB = await b.take('origin', 1, 2);
      assert.ok(waitB > 0 && waitB <= 500, `the other worker waits too, got ${waitB} ms`);
    });

    test('a take is all or nothing, and never asks for more than the bucket holds', async () => {
      const [a] = pair();
      assert.equal(await a.take('big', 3, 4), 0);
      const wait = await a.take('big', 3, 4);
      assert.ok(wait > 0, 'one token left, three asked: nothing taken');
      // A take beyond the bucket's size asks for one bucket: it can be met.
      const other = await a.take('huge', 1_000, 4);
      assert.equal(other, 0);
    });

    test('a burst larger than a second holds that many tokens, shared too; then the rate applies', async () => {
      const [a, b] = pair();
      // 1 a second with a burst of 3: three at once, then one a second.
      assert.equal(await a.take('client', 1, 1, 3), 0);
      assert.equal(await b.take('client', 1, 1, 3), 0);
      assert.equal(await a.take('client', 1, 1, 3), 0);
      const wait = await b.take('client', 1, 1, 3);
      assert.ok(wait > 0 && wait <= 1_000, `the fourth waits for the next token, got ${wait} ms`);
    });

    test('keys are separate buckets', async () => {
      const [a, b] = pair();
      assert.equal(await a.take('https://one.example', 1, 1), 0);
      assert.ok((await a.take('https://one.example', 1, 1)) > 0);
      assert.equal(await b.take('https://two.example', 1, 1), 0);
    });

    test('rate 0 is no limit', async () => {
      const [a, b] = pair();
      for (let i = 0; i < 50; i++) assert.equal(await (i % 2 ? a : b).take('free', 100, 0), 0);
    });

    test("a pause set by one worker holds every worker's takes, also without a rate; a shorter pause does not shorten it", async () => {
      const [a, b] = pair();
      await a.pause('busy', 5_000);
      const wait = await b.take('busy', 1, 0);
      assert.ok(wait > 4_000 && wait <= 5_000, `paused for about 5 s, got ${wait} ms`);
      await b.pause('busy', 10);
      assert.ok((await a.take('busy', 1, 100)) > 4_000, 'the longer pause stays');
      assert.equal(await a.take('not-busy', 1, 0), 0, 'other keys are not paused');
    });

    test('a pause on a key not used yet leaves its bucket full once it ends', async () => {
      const [a, b] = pair();
      await a.pause('fresh', 30);
      await new Promise((resolve) => setTimeout(resolve, 40));
      assert.equal(await b.take('fresh', 3, 0.1, 3), 0, 'the whole burst of 3 is there');
    });

    test('a pause ends', async () => {
      const [a, b] = pair();
      await a.pause('short', 50);
      const wait = await b.take('short', 1, 0);
      assert.ok(wait > 0 && wait <= 50);
      await new Promise((resolve) => setTimeout(resolve, wait + 5));
      assert.equal(await b.take('short', 1, 0), 0);
    });
  });
}
