/**
 * Raw HTTP/1.1 over a TCP socket, for what inject() cannot send: malformed requests,
 * oversized heads, bodies trickled byte by byte. Answers are parsed by hand.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The whole answer as received. */
  raw: string;
}

export function parseAnswer(raw: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: end === -1 ? '' : raw.slice(end + 4), raw };
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads until the server closes the connection (or `timeoutMs` passes, then what came). */
export function readUntilClosed(socket: Socket, timeoutMs = 5_000): Promise<{ answer: RawAnswer; closed: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer: parseAnswer(data), closed });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
  });
}

/** Sends `bytes` as they are on a new connection and reads the answer until the server closes. */
export async function rawRequest(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  const socket = await openSocket(port);
  const reading = readUntilClosed(socket);
  socket.write(bytes);
  return (await reading).answer;
}
