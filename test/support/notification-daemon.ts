/**
 * A desktop notification server for browser tests: a private D-Bus session bus
 * (Debian's `dbus-daemon`) on which this process owns `org.freedesktop.Notifications`
 * and speaks the Desktop Notifications Specification 1.2, as GNOME's or KDE's
 * notification daemon does. Chromium on Linux, headless included, shows web
 * notifications through it; so a test sees each notification as the desktop does,
 * and clicks an action or dismisses one the way a user would: the browser then fires
 * real (trusted) `notificationclick` and `notificationclose` events in the service
 * worker, with the right to open a window.
 *
 * With `inlineReply` the server also advertises KDE's "inline-reply" capability: a browser
 * then sends a notification's text action as the action key "inline-reply" with the
 * `x-kde-reply-placeholder-text` hint, and takes the user's text back in the
 * NotificationReplied signal, as from Plasma's notification popup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureDebianPackage } from '../../scripts/services/apt.ts';
import { decodeMessages, encodeMessage, MessageType, NO_REPLY_EXPECTED, type Message, type Variant } from './dbus-wire.ts';

const NAME = 'org.freedesktop.Notifications';
const OBJECT_PATH = '/org/freedesktop/Notifications';
/** NotificationClosed reasons (spec §"Signals"). */
const CLOSED = { dismissedByUser: 2, closedByCall: 3 } as const;
/** The action key of an inline reply field (KDE's extension of the spec). */
const INLINE_REPLY = 'inline-reply';

export interface DesktopNotification {
  id: number;
  appName: string;
  summary: string;
  body: string;
  /** The buttons, by the key the browser will receive back and the label the user reads. */
  actions: { key: string; label: string }[];
  hints: Record<string, unknown>;
  /** The reply field, when the browser asked for one (only with `inlineReply`): its button's label and placeholder. */
  inlineReply?: { label: string; placeholder: string };
  /** Closed by the browser (CloseNotification), by `dismiss()`, or still on screen. */
  closed: 'by-browser' | 'by-user' | false;
}

export interface NotificationDaemon {
  /** For DBUS_SESSION_BUS_ADDRESS of the browser. */
  readonly address: string;
  /** Every notification shown, in order, replacements included. */
  readonly shown: DesktopNotification[];
  /** Resolves with the first notification (shown now or later) that matches. */
  waitFor(match: (n: DesktopNotification) => boolean, timeoutMs?: number): Promise<DesktopNotification>;
  /** The user clicks the button labelled `label`, or the notification itself when absent. */
  click(n: DesktopNotification, label?: string): void;
  /** The user closes it without clicking. */
  dismiss(n: DesktopNotification): void;
  /** The user types `text` in the notification's reply field and sends it. */
  reply(n: DesktopNotification, text: string): void;
  close(): Promise<void>;
}

export async function startNotificationDaemon(opts: { inlineReply?: boolean } = {}): Promise<NotificationDaemon> {
  const dbusDaemon = await ensureDebianPackage('/usr/bin/dbus-daemon', 'dbus-daemon');
  const dir = mkdtempSync(path.join(tmpdir(), 'carillon-dbus-'));
  const config = path.join(dir, 'session.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${path.join(dir, 'bus')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
  );
  // stderr is dropped: the bus warns that it cannot raise its file limit, which is harmless here.
  const bus = spawn(dbusDaemon, ['--config-file', config, '--nofork', '--nopidfile', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let address: string;
  try {
    address = await firstLine(bus);
  } catch (err) {
    bus.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const socket = net.connect(path.join(dir, 'bus'));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  await authenticate(socket);

  const shown: DesktopNotification[] = [];
  const waiters: { match: (n: DesktopNotification) => boolean; resolve: (n: DesktopNotification) => void }[] = [];
  const pending = new Map<number, (m: Message) => void>();
  let serial = 0;
  let lastId = 0;
  const send = (m: Omit<Message, 'serial' | 'sender'>): number => {
    serial += 1;
    socket.write(encodeMessage({ ...m, serial }));
    return serial;
  };
  const call = (member: string, signature: string, body: unknown[]) =>
    new Promise<Message>((resolve) => {
      const s = send({ type: MessageType.methodCall, flags: 0, path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member, destination: 'org.freedesktop.DBus', signature, body });
      pending.set(s, resolve);
    });
  const signal = (member: string, signature: string, body: unknown[]) =>
    send({ type: MessageType.signal, flags: NO_REPLY_EXPECTED, path: OBJECT_PATH, interface: NAME, member, signature, body });

  const answer = (m: Message): void => {
    const reply = (signature = '', body: unknown[] = []) => {
      if (m.flags & NO_REPLY_EXPECTED) return;
      send({ type: MessageType.methodReturn, flags: NO_REPLY_EXPECTED, replySerial: m.serial, destination: m.sender, signature, body });
    };
    const key = `${m.interface ?? NAME}.${m.member}`;
    switch (key) {
      case `${NAME}.GetCapabilities`:
        return reply('as', [['actions', 'body', 'body-hyperlinks', 'body-images', 'body-markup', 'icon-static', 'persistence', ...(opts.inlineReply ? [INLINE_REPLY] : [])]]);
      case `${NAME}.GetServerInformation`:
        return reply('ssss', ['carillon-test', 'Carillon', '1.0', '1.2']);
      case `${NAME}.Notify`: {
        const [appName, replacesId, , summary, body, actions, hints] = m.body as [string, number, string, string, string, string[], Record<string, unknown>];
        const id = replacesId || ++lastId;
        const pairs: { key: string; label: string }[] = [];
        for (let i = 0; i + 1 < actions.length; i += 2) pairs.push({ key: actions[i]!, label: actions[i + 1]! });
        const n: DesktopNotification = { id, appName, summary, body, actions: pairs, hints, closed: false };
        const field = pairs.find((a) => a.key === INLINE_REPLY);
        if (opts.inlineReply && field) {
          const placeholder = (hints['x-kde-reply-placeholder-text'] as Variant | undefined)?.value;
          n.inlineReply = { label: field.label, placeholder: typeof placeholder === 'string' ? placeholder : '' };
        }
        shown.push(n);
        for (const w of waiters.filter((w) => w.match(n))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(n);
        }
        return reply('u', [id]);
      }
      case `${NAME}.CloseNotification`: {
        const [id] = m.body as [number];
        for (const n of shown) if (n.id === id && !n.closed) n.closed = 'by-browser';
        reply();
        // The spec: a server signals every close, whoever asked for it.
        signal('NotificationClosed', 'uu', [id, CLOSED.closedByCall]);
        return;
      }
      case 'org.freedesktop.DBus.Peer.Ping':
        return reply();
    }
    if (!(m.flags & NO_REPLY_EXPECTED)) {
      send({ type: MessageType.error, flags: NO_REPLY_EXPECTED, replySerial: m.serial, destination: m.sender, errorName: 'org.freedesktop.DBus.Error.UnknownMethod', signature: 's', body: [`no method ${key}`] });
    }
  };

  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const { messages, rest } = decodeMessages(Buffer.concat([buffered, chunk]));
    buffered = rest;
    for (const m of messages) {
      if ((m.type === MessageType.methodReturn || m.type === MessageType.error) && m.replySerial !== undefined) {
        pending.get(m.replySerial)?.(m);
        pending.delete(m.replySerial);
      } else if (m.type === MessageType.methodCall) {
        answer(m);
      }
    }
  });

  await call('Hello', '', []);
  // DO_NOT_QUEUE: fail rather than wait behind another notification server.
  const owner = await call('RequestName', 'su', [NAME, 4]);
  if (owner.body[0] !== 1) throw new Error(`could not own ${NAME} on the test bus (RequestName answered ${String(owner.body[0])})`);

  const current = (n: DesktopNotification) => {
    const latest = shown.filter((s) => s.id === n.id).at(-1)!;
    if (latest.closed) throw new Error(`notification ${n.id} ("${n.summary}") is no longer shown`);
    return latest;
  };
  return {
    address,
    shown,
    waitFor(match, timeoutMs = 15_000) {
      const found = shown.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such desktop notification; shown: ${JSON.stringify(shown.map((s) => s.summary))}`)), timeoutMs);
        waiters.push({ match, resolve: (n) => (clearTimeout(timer), resolve(n)) });
      });
    },
    click(n, label) {
      const latest = current(n);
      const key = label === undefined ? 'default' : latest.actions.find((a) => a.label === label)?.key;
      if (key === undefined) throw new Error(`notification ${n.id} has no button "${label}": ${JSON.stringify(latest.actions)}`);
      signal('ActionInvoked', 'us', [n.id, key]);
    },
    dismiss(n) {
      current(n).closed = 'by-user';
      signal('NotificationClosed', 'uu', [n.id, CLOSED.dismissedByUser]);
    },
    reply(n, text) {
      if (!current(n).inlineReply) throw new Error(`notification ${n.id} ("${n.summary}") has no reply field`);
      signal('NotificationReplied', 'us', [n.id, text]);
    },
    async close() {
      socket.destroy();
      if (bus.exitCode === null) {
        const exited = new Promise((resolve) => bus.once('exit', resolve));
        bus.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end).trim());
    });
    child.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code} before printing its address`)));
    child.once('error', reject);
  });
}

/** SASL EXTERNAL (spec §"Authentication Protocol"): the bus checks our uid on the socket. */
async function authenticate(socket: net.Socket): Promise<void> {
  const uid = Buffer.from(String(process.getuid?.() ?? 0)).toString('hex');
  socket.write(Buffer.concat([Buffer.from([0]), Buffer.from(`AUTH EXTERNAL ${uid}\r\n`)]));
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!text.includes('\r\n')) return;
      socket.off('data', onData);
      resolve(text);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  if (!line.startsWith('OK ')) throw new Error(`D-Bus authentication refused: ${line.trim()}`);
  socket.write('BEGIN\r\n');
}
