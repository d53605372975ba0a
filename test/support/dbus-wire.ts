/**
 * The D-Bus wire format (D-Bus Specification, "Message Protocol"), little-endian, as much
 * as a notification server needs: marshalling of every basic and container type, message
 * framing, and the header fields. Used by notification-daemon.ts.
 */

export const MessageType = { methodCall: 1, methodReturn: 2, error: 3, signal: 4 } as const;
export const NO_REPLY_EXPECTED = 0x1;

/** Header field codes. */
const Field = { path: 1, interface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6, sender: 7, signature: 8 } as const;

export interface Message {
  type: number;
  flags: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  signature: string;
  body: unknown[];
}

export interface Variant {
  signature: string;
  value: unknown;
}

const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, s: 4, o: 4, g: 1, a: 4, '(': 8, '{': 8, v: 1, h: 4 };

/** Index just past the single complete type that starts at `i` in `sig`. */
function endOfType(sig: string, i: number): number {
  const c = sig[i];
  if (c === 'a') return endOfType(sig, i + 1);
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}';
    let j = i + 1;
    while (sig[j] !== close) j = endOfType(sig, j);
    return j + 1;
  }
  if (c === undefined || !(c in ALIGN)) throw new Error(`bad D-Bus signature "${sig}" at ${i}`);
  return i + 1;
}

/** The complete types of a signature: "susssasa{sv}i" → ["s","u","s","s","s","as","a{sv}","i"]. */
export function splitSignature(sig: string): string[] {
  const types: string[] = [];
  for (let i = 0; i < sig.length; ) {
    const end = endOfType(sig, i);
    types.push(sig.slice(i, end));
    i = end;
  }
  return types;
}

class Writer {
  #chunks: Buffer[] = [];
  length = 0;

  #push(b: Buffer): void {
    this.#chunks.push(b);
    this.length += b.length;
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    if (pad) this.#push(Buffer.alloc(pad));
  }

  write(type: string, value: unknown): void {
    const c = type[0]!;
    this.align(ALIGN[c]!);
    switch (c) {
      case 'y':
        return this.#push(Buffer.from([Number(value)]));
      case 'b':
      case 'u':
      case 'h':
        return this.#uint32(c === 'b' ? (value ? 1 : 0) : Number(value));
      case 'i': {
        const b = Buffer.alloc(4);
        b.writeInt32LE(Number(value));
        return this.#push(b);
      }
      case 'n':
      case 'q': {
        const b = Buffer.alloc(2);
        if (c === 'n') b.writeInt16LE(Number(value));
        else b.writeUInt16LE(Number(value));
        return this.#push(b);
      }
      case 'x':
      case 't': {
        const b = Buffer.alloc(8);
        if (c === 'x') b.writeBigInt64LE(BigInt(value as number));
        else b.writeBigUInt64LE(BigInt(value as number));
        return this.#push(b);
      }
      case 'd': {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(Number(value));
        return this.#push(b);
      }
      case 's':
      case 'o': {
        const text = Buffer.from(String(value), 'utf8');
        this.#uint32(text.length);
        return this.#push(Buffer.concat([text, Buffer.alloc(1)]));
      }
      case 'g': {
        const text = Buffer.from(String(value), 'ascii');
        return this.#push(Buffer.concat([Buffer.from([text.length]), text, Buffer.alloc(1)]));
      }
      case 'v': {
        const { signature, value: inner } = value as Variant;
        this.write('g', signature);
        return this.write(signature, inner);
      }
      case '(':
      case '{': {
        const members = splitSignature(type.slice(1, -1));
        const values = value as unknown[];
        members.forEach((t, k) => this.write(t, values[k]));
        return;
      }
      case 'a': {
        const element = type.slice(1);
        const lengthAt = this.#chunks.length;
        this.#uint32(0);
        // The length excludes the padding before the first element.
        this.align(ALIGN[element[0]!]!);
        const start = this.length;
        const items = element[0] === '{' && !Array.isArray(value) ? Object.entries(value as object) : (value as unknown[]);
        for (const item of items) this.write(element, item);
        this.#chunks[lengthAt]!.writeUInt32LE(this.length - start);
        return;
      }
    }
    throw new Error(`cannot marshal D-Bus type ${type}`);
  }

  #uint32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    this.#push(b);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  align(n: number): void {
    this.pos = Math.ceil(this.pos / n) * n;
  }

  read(type: string): unknown {
    const c = type[0]!;
    this.align(ALIGN[c]!);
    const b = this.buf;
    const at = this.pos;
    switch (c) {
      case 'y':
        this.pos += 1;
        return b.readUInt8(at);
      case 'b':
        this.pos += 4;
        return b.readUInt32LE(at) !== 0;
      case 'n':
        this.pos += 2;
        return b.readInt16LE(at);
      case 'q':
        this.pos += 2;
        return b.readUInt16LE(at);
      case 'i':
        this.pos += 4;
        return b.readInt32LE(at);
      case 'u':
      case 'h':
        this.pos += 4;
        return b.readUInt32LE(at);
      case 'x':
        this.pos += 8;
        return Number(b.readBigInt64LE(at));
      case 't':
        this.pos += 8;
        return Number(b.readBigUInt64LE(at));
      case 'd':
        this.pos += 8;
        return b.readDoubleLE(at);
      case 's':
      case 'o': {
        const len = b.readUInt32LE(at);
        this.pos = at + 4 + len + 1;
        return b.toString('utf8', at + 4, at + 4 + len);
      }
      case 'g': {
        const len = b.readUInt8(at);
        this.pos = at + 1 + len + 1;
        return b.toString('ascii', at + 1, at + 1 + len);
      }
      case 'v': {
        const signature = this.read('g') as string;
        return { signature, value: this.read(signature) } satisfies Variant;
      }
      case '(':
      case '{':
        return splitSignature(type.slice(1, -1)).map((t) => this.read(t));
      case 'a': {
        const len = b.readUInt32LE(at);
        this.pos = at + 4;
        const element = type.slice(1);
        this.align(ALIGN[element[0]!]!);
        const end = this.pos + len;
        const items: unknown[] = [];
        while (this.pos < end) items.push(this.read(element));
        // a{..} reads as an object, which is how hints and properties are used.
        return element[0] === '{' ? Object.fromEntries(items as [string, unknown][]) : items;
      }
    }
    throw new Error(`cannot unmarshal D-Bus type ${type}`);
  }
}

/** One message as bytes; `signature` and `body` describe the arguments. */
export function encodeMessage(m: Omit<Message, 'sender'>): Buffer {
  const body = new Writer();
  splitSignature(m.signature).forEach((t, k) => body.write(t, m.body[k]));
  const fields: [number, Variant][] = [];
  const add = (code: number, signature: string, value: unknown) => value !== undefined && fields.push([code, { signature, value }]);
  add(Field.path, 'o', m.path);
  add(Field.interface, 's', m.interface);
  add(Field.member, 's', m.member);
  add(Field.errorName, 's', m.errorName);
  add(Field.replySerial, 'u', m.replySerial);
  add(Field.destination, 's', m.destination);
  if (m.signature) add(Field.signature, 'g', m.signature);
  const header = new Writer();
  header.write('y', 'l'.charCodeAt(0));
  header.write('y', m.type);
  header.write('y', m.flags);
  header.write('y', 1);
  header.write('u', body.length);
  header.write('u', m.serial);
  header.write('a(yv)', fields);
  header.align(8);
  return Buffer.concat([header.toBuffer(), body.toBuffer()]);
}

/** Splits complete messages off the front of `buf`; returns them and what is left. */
export function decodeMessages(buf: Buffer): { messages: Message[]; rest: Buffer } {
  const messages: Message[] = [];
  let offset = 0;
  while (buf.length - offset >= 16) {
    if (buf[offset] !== 'l'.charCodeAt(0)) throw new Error('only little-endian D-Bus messages are supported');
    const bodyLength = buf.readUInt32LE(offset + 4);
    const fieldsLength = buf.readUInt32LE(offset + 12);
    const bodyStart = Math.ceil((16 + fieldsLength) / 8) * 8;
    const total = bodyStart + bodyLength;
    if (buf.length - offset < total) break;
    const bytes = buf.subarray(offset, offset + total);
    const header = new Reader(bytes, 12);
    const m: Message = { type: bytes[1]!, flags: bytes[2]!, serial: bytes.readUInt32LE(8), signature: '', body: [] };
    for (const [code, { value }] of header.read('a(yv)') as [number, Variant][]) {
      const name = (Object.keys(Field) as (keyof typeof Field)[]).find((k) => Field[k] === code);
      if (name) (m as unknown as Record<string, unknown>)[name] = value;
    }
    const body = new Reader(bytes, bodyStart);
    m.body = splitSignature(m.signature).map((t) => body.read(t));
    messages.push(m);
    offset += total;
  }
  return { messages, rest: buf.subarray(offset) };
}
