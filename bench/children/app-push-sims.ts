/**
 * The APNs and FCM simulators of test/simulators in a process of their own, with n
 * devices registered on each, for section 5. They check every request as Apple and
 * Google do (JWTs, headers, payload shape) and record each delivery.
 *
 * `expect {provider, count}` reports `done` with the time of the count-th delivery and
 * the connections that carried deliveries since.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApnsSimulator } from '../../test/simulators/apns-simulator.ts';
import { FcmSimulator } from '../../test/simulators/fcm-simulator.ts';
import { childArgs, main, onMessage, peakRssKb, send } from '../lib/ipc.ts';

export interface SimsArgs {
  n: number;
  /** Folder for the token files. */
  dir: string;
  topic: string;
}

main(async () => {
  const { n, dir, topic } = childArgs<SimsArgs>();
  const apns = await ApnsSimulator.start();
  const fcm = await FcmSimulator.start();
  // One team and one service account per contender: APNs refuses a second provider
  // token for a team within 20 minutes of the first.
  const teams = { carillon: apns.createTeam([topic]), floor: apns.createTeam([topic]) };
  const carillonAccount = fcm.createServiceAccount();
  const accounts = { carillon: carillonAccount, floor: fcm.createServiceAccount(carillonAccount.project_id) };
  const apnsTokens = Array.from({ length: n }, () => apns.registerDevice(topic));
  const fcmTokens = Array.from({ length: n }, () => fcm.registerDevice(carillonAccount.project_id!));
  const files = { apns: join(dir, 'apns-tokens.txt'), fcm: join(dir, 'fcm-tokens.txt') };
  writeFileSync(files.apns, apnsTokens.join('\n'));
  writeFileSync(files.fcm, fcmTokens.join('\n'));

  onMessage(async (message) => {
    if (message.type === 'expect') {
      const sim = message.provider === 'apns' ? apns : fcm;
      const count = Number(message.count);
      // Forget earlier runs' deliveries: 100k recorded requests are memory this process does not need.
      sim.deliveries.length = 0;
      sim.answers.length = 0;
      send({ type: 'expecting' });
      const timer = setInterval(() => {
        if (sim.deliveries.length < count) return;
        clearInterval(timer);
        const refused = sim.answers.filter((a) => a.status !== 200).length;
        const connections = new Set(sim.deliveries.map((d) => d.connection)).size;
        send({ type: 'done', provider: message.provider, t: sim.deliveries[count - 1]!.receivedAt, connections, refused });
      }, 10);
    } else if (message.type === 'stop') {
      await Promise.all([apns.close(), fcm.close()]);
      await send({ type: 'stopped', maxRssKb: peakRssKb() });
      process.exit(0);
    }
  });
  send({ type: 'ready', apnsUrl: apns.url, fcmUrl: fcm.url, teams, accounts, files });
});
