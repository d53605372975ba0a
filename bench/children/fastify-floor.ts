/**
 * The peer of the API figures: Fastify with the same routes and the same JSON schemas
 * as Carillon's, answering at once, with no authentication and no store. What Carillon
 * adds above it is its own work (key check, transaction, queue).
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { AppParams } from '../../src/http/schemas.ts';
import { Accepted, NotificationBody } from '../../src/http/routes/notifications.schemas.ts';
import { SubscriptionBody } from '../../src/http/routes/subscriptions.schemas.ts';
import { Type } from '@sinclair/typebox';
import { main, onMessage, peakRssKb, send } from '../lib/ipc.ts';

main(async () => {
  const app = Fastify({ logger: false, bodyLimit: 65_536 });
  app.post('/v1/apps/:appId/subscriptions', { schema: { params: AppParams, body: SubscriptionBody, response: { 201: Type.Object({ id: Type.String() }) } } }, async (_req, reply) =>
    reply.status(201).send({ id: `sub_${randomBytes(12).toString('base64url')}` }),
  );
  app.post('/v1/apps/:appId/notifications', { schema: { params: AppParams, body: NotificationBody, response: { 202: Accepted } } }, async (_req, reply) =>
    reply.status(202).send({ id: `ntf_${randomBytes(12).toString('base64url')}` }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  onMessage(async (message) => {
    if (message.type === 'stop') {
      await app.close();
      await send({ type: 'stopped', maxRssKb: peakRssKb() });
      process.exit(0);
    }
  });
  send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
