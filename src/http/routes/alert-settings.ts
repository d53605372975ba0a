import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { getAlertSettings, setAlertSettings } from '../../alerts/alert-settings.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { AlertSettings, AlertSettingsBody } from './alert-settings.schemas.ts';

/** The app's civic alert settings (docs/civic-alerts.md): the public page, APNs critical alerts, the categories alerts go in. */
export function alertSettingsRoutes(app: FastifyInstance, ctx: Context): void {
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/alert-settings',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getAlertSettings', tags: ['alerts'], summary: 'The app’s civic alert settings', params: AppParams, response: { 200: AlertSettings, ...guardedProblems('secret', { params: true }, 'app_not_found') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return getAlertSettings(ctx, req.params.appId);
    },
  );
  app.put<{ Params: AppParams; Body: AlertSettingsBody }>(
    '/v1/apps/:appId/alert-settings',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'setAlertSettings', tags: ['alerts'], summary: 'Change the app’s civic alert settings: the public page, APNs critical alerts, the categories alerts go in', params: AppParams, body: AlertSettingsBody, response: { 200: AlertSettings, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'unknown_category') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return setAlertSettings(ctx, req.params.appId, req.body);
    },
  );
}
