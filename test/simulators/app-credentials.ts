import assert from 'node:assert/strict';
import type { TestCarillon } from '../support/carillon.ts';
import type { ApnsSimulator } from './apns-simulator.ts';
import type { FcmSimulator } from './fcm-simulator.ts';

/**
 * Gives an app credentials for both simulators, as its operator would through the API: an
 * APNs team whose key pushes to `bundle`, and an FCM service account. Returns the account,
 * whose project the devices register in.
 */
export async function useSimulatorCredentials(c: TestCarillon, app: { id: string; secretKey: string }, apns: ApnsSimulator, fcm: FcmSimulator, bundle: string): Promise<{ account: ReturnType<FcmSimulator['createServiceAccount']> }> {
  const team = apns.createTeam([bundle]);
  const account = fcm.createServiceAccount();
  assert.equal((await c.api('PUT', `/v1/apps/${app.id}/credentials/apns`, { key: app.secretKey, body: { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: bundle } })).status, 200);
  assert.equal((await c.api('PUT', `/v1/apps/${app.id}/credentials/fcm`, { key: app.secretKey, body: { serviceAccount: account } })).status, 200);
  return { account };
}
