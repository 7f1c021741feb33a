import type { Command, Status } from "./protocol.js";
import { SWAP, SYNC, WAIT, WRITE } from "./protocol.js";

/*
 * postcard (the serde format drgdfu's serial frames carry, embedded-update
 * src/device/serial.rs:8 and src/service/serial.rs:3), as far as Status and
 * Command need it: u32 as a LEB128 varint, Option as 0x00 or 0x01 + value,
 * bytes as varint length + data, an enum as its varint index, struct fields
 * in declaration order. Decoded byte strings are subarrays of the frame.
 */

let buf: Uint8Array = new Uint8Array(0);
let pos = 0;

function bad(what: string): never {
  throw new Error("postcard: " + what);
}

function varint(): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= buf.length) bad("truncated");
    const b = buf[pos++];
    v += (b & 127) * mul;
    if (!(b & 128)) {
      if (v > 4294967295) bad("varint past u32");
      return v;
    }
    mul *= 128;
  }
  return bad("varint longer than 5 bytes");
}

function option(): boolean {
  if (pos >= buf.length) bad("truncated");
  const t = buf[pos++];
  if (t > 1) bad("option tag " + t);
  return t === 1;
}

function bytes(): Uint8Array {
  const n = varint();
  if (pos + n > buf.length) bad("byte string past the frame");
  const v = buf.subarray(pos, pos + n);
  pos += n;
  return v;
}

/** A Command from the start of a frame (the rest of the frame is padding). */
export function decodeCommandPostcard(frame: Uint8Array): Command {
  buf = frame;
  pos = 0;
  const kind = varint();
  let c: Command;
  if (kind === WAIT) {
    const cid = option() ? varint() : null;
    c = { kind: kind, cid: cid, poll: option() ? varint() : null };
  } else if (kind === SYNC || kind === WRITE || kind === SWAP) {
    const version = bytes();
    c = { kind: kind, version: version, cid: option() ? varint() : null };
    if (kind === SYNC) c.poll = option() ? varint() : null;
    else if (kind === WRITE) {
      c.offset = varint();
      c.data = bytes();
    } else c.checksum = bytes();
  } else return bad("command index " + kind);
  buf = new Uint8Array(0);
  return c;
}

function putVarint(b: Uint8Array, p: number, v: number): number {
  while (v >= 128) {
    b[p++] = (v & 127) | 128;
    v = Math.floor(v / 128);
  }
  b[p++] = v;
  return p;
}

function putAscii(b: Uint8Array, p: number, s: string): number {
  p = putVarint(b, p, s.length);
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i) & 255;
  return p;
}

function putOption(b: Uint8Array, p: number, v: number | null): number {
  if (v === null) {
    b[p++] = 0;
    return p;
  }
  b[p++] = 1;
  return putVarint(b, p, v);
}

/** Status at the start of `frame` (zeroed first); returns the message's length. */
export function encodeStatusPostcard(frame: Uint8Array, s: Status): number {
  frame.fill(0);
  let p = putAscii(frame, 0, s.version);
  p = putOption(frame, p, s.mtu);
  p = putOption(frame, p, s.cid);
  const u = s.update;
  if (!u) frame[p++] = 0;
  else {
    frame[p++] = 1;
    p = putAscii(frame, p, u.version);
    p = putVarint(frame, p, u.offset);
  }
  return p;
}
