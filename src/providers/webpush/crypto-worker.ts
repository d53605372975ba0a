import { parentPort } from 'node:worker_threads';
import { encryptWebPush } from '../../protocol/webpush/ece.ts';
import { decodeBase64url } from '../../protocol/webpush/base64url.ts';

export interface EncryptTask {
  id: number;
  /** The distinct payloads of the task: each is sent to the thread once, however many recipients share it. */
  plaintexts: Uint8Array[];
  /** `plaintext`: the index into `plaintexts` of what this recipient is sent. */
  recipients: { p256dh: string; auth: string; plaintext: number }[];
}

/** One body per recipient, or an error message where its keys could not be used. */
export interface EncryptResult {
  id: number;
  bodies: (Uint8Array | string)[];
}

parentPort!.on('message', (task: EncryptTask) => {
  const plaintexts = task.plaintexts.map((p) => Buffer.from(p));
  const transfer: ArrayBuffer[] = [];
  const bodies = task.recipients.map((r) => {
    try {
      const body = encryptWebPush({ plaintext: plaintexts[r.plaintext]!, uaPublic: decodeBase64url(r.p256dh), authSecret: decodeBase64url(r.auth) });
      // Small Buffers share Node's pool slab; a copy owns its memory and can be moved to
      // the main thread without cloning the slab.
      const owned = new Uint8Array(body);
      transfer.push(owned.buffer);
      return owned;
    } catch (err) {
      return String((err as Error).message);
    }
  });
  parentPort!.postMessage({ id: task.id, bodies } satisfies EncryptResult, transfer);
});
