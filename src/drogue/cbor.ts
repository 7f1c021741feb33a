import { asciiText, type Command, COMMAND_NAMES, type Status, SWAP, SYNC, WAIT, WRITE } from "./protocol.js";

/*
 * The CBOR the device needs (RFC 8949), no more: a decoder for the service's
 * commands (unsigned and negative integers, byte and text strings of definite
 * length, arrays, maps, false/true/null) and an encoder for Status. Byte
 * strings decode as subarrays of the input (chunk data is never copied or
 * walked byte by byte). Anything else (tags, floats, indefinite lengths,
 * nesting past 8) throws.
 */

let buf: Uint8Array = new Uint8Array(0);
let pos = 0;

function bad(what: string): never {
  throw new Error("CBOR: " + what);
}

function need(n: number): void {
  if (pos + n > buf.length) bad("truncated");
}

/** The argument of a head whose additional information is `ai`. */
function arg(ai: number): number {
  if (ai < 24) return ai;
  let n = 0;
  if (ai === 24) n = 1;
  else if (ai === 25) n = 2;
  else if (ai === 26) n = 4;
  else if (ai === 27) n = 8;
  else bad("indefinite or reserved length");
  need(n);
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + buf[pos++];
  if (v > 9007199254740991) bad("integer too large");
  return v;
}

function item(depth: number): unknown {
  if (depth > 8) bad("nested too deep");
  need(1);
  const ib = buf[pos++];
  const major = ib >> 5;
  const ai = ib & 31;
  if (major === 7) {
    if (ai === 20) return false;
    if (ai === 21) return true;
    if (ai === 22) return null;
    return bad("simple value or float " + ai);
  }
  if (major === 6) return bad("tag");
  const n = arg(ai);
  if (major === 0) return n;
  if (major === 1) return -1 - n;
  if (major === 2 || major === 3) {
    need(n);
    const v = buf.subarray(pos, pos + n);
    pos += n;
    return major === 2 ? v : asciiText(v);
  }
  // Each element takes at least one byte: a count past the input is refused before looping.
  need(major === 5 ? 2 * n : n);
  if (major === 4) {
    const a: unknown[] = [];
    for (let i = 0; i < n; i++) a.push(item(depth + 1));
    return a;
  }
  const o: { [key: string]: unknown } = {};
  for (let i = 0; i < n; i++) {
    const k = item(depth + 1);
    if (typeof k !== "number" && typeof k !== "string") bad("map key");
    o[String(k)] = item(depth + 1);
  }
  return o;
}

/** One CBOR data item filling `b` exactly. */
export function cborDecode(b: Uint8Array): unknown {
  buf = b;
  pos = 0;
  const v = item(0);
  if (pos !== b.length) bad("extra bytes");
  buf = new Uint8Array(0);
  return v;
}

type Fields = { [key: string]: unknown };

/** A byte string (a typed array: by its subarray, so one made in another realm, as by a host stand-in, counts too). */
function isBytes(v: unknown): boolean {
  return !!v && typeof v === "object" && typeof (v as Uint8Array).subarray === "function";
}

function isMap(v: unknown): boolean {
  return !!v && typeof v === "object" && !isBytes(v) && !Array.isArray(v);
}

/** A field by its packed index or its name (serde writes either form). */
function field(o: Fields, index: number, name: string): unknown {
  const v = o[String(index)];
  return v === undefined ? o[name] : v;
}

function bytesField(o: Fields, index: number, name: string): Uint8Array {
  const v = field(o, index, name);
  if (!isBytes(v)) bad(name + " is not a byte string");
  return v as Uint8Array;
}

function u32(v: unknown, name: string): number {
  if (typeof v !== "number" || v < 0 || v > 4294967295) bad(name + " is not a u32");
  return v as number;
}

/** Option<u32>: null (or left out) is None. */
function optU32(o: Fields, index: number, name: string): number | null {
  const v = field(o, index, name);
  return v === null || v === undefined ? null : u32(v, name);
}

/**
 * A Command from its decoded CBOR: `{variant: {field: value}}` with the
 * variant and fields as indexes (serde_cbor's packed form, what the service
 * sends) or as names.
 */
export function commandFromCbor(v: unknown): Command {
  if (!isMap(v)) return bad("command is not a map");
  const keys = Object.keys(v as Fields);
  if (keys.length !== 1) bad("command map has " + keys.length + " keys");
  const k = keys[0];
  let kind = COMMAND_NAMES.indexOf(k);
  if (kind < 0) kind = k.length === 1 ? "0123".indexOf(k) : -1;
  if (kind < 0) bad("unknown command " + k);
  const f = (v as Fields)[k];
  if (!isMap(f)) return bad("command fields are not a map");
  const o = f as Fields;
  if (kind === WAIT) return { kind: kind, cid: optU32(o, 0, "correlation_id"), poll: optU32(o, 1, "poll") };
  const c: Command = { kind: kind, version: bytesField(o, 0, "version"), cid: optU32(o, 1, "correlation_id") };
  if (kind === SYNC) c.poll = optU32(o, 2, "poll");
  else if (kind === WRITE) {
    c.offset = u32(field(o, 2, "offset"), "offset");
    c.data = bytesField(o, 3, "data");
  } else if (kind === SWAP) c.checksum = bytesField(o, 2, "checksum");
  return c;
}

/** Writes CBOR into one buffer allocated up front. */
export class CborWriter {
  buf: Uint8Array;
  at = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  head(major: number, n: number): void {
    const b = this.buf;
    let p = this.at;
    const m = major << 5;
    if (n < 24) b[p++] = m | n;
    else if (n < 256) {
      b[p++] = m | 24;
      b[p++] = n;
    } else if (n < 65536) {
      b[p++] = m | 25;
      b[p++] = n >> 8;
      b[p++] = n & 255;
    } else {
      b[p++] = m | 26;
      b[p++] = (n >>> 24) & 255;
      b[p++] = (n >> 16) & 255;
      b[p++] = (n >> 8) & 255;
      b[p++] = n & 255;
    }
    this.at = p;
  }

  /** A short ASCII text as a byte string (versions). */
  asciiBytes(s: string): void {
    this.head(2, s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.at++] = s.charCodeAt(i) & 255;
  }

  /** u32 or null. */
  optU32(v: number | null): void {
    if (v === null) this.buf[this.at++] = 0xf6;
    else this.head(0, v);
  }
}

/** Status in serde_cbor's packed form (what drogue-device sends): {0: version, 1: mtu, 2: correlation_id, 3: update}. */
export function encodeStatusCbor(w: CborWriter, s: Status): Uint8Array {
  w.at = 0;
  w.head(5, 4);
  w.head(0, 0);
  w.asciiBytes(s.version);
  w.head(0, 1);
  w.optU32(s.mtu);
  w.head(0, 2);
  w.optU32(s.cid);
  w.head(0, 3);
  const u = s.update;
  if (!u) w.optU32(null);
  else {
    w.head(5, 2);
    w.head(0, 0);
    w.asciiBytes(u.version);
    w.head(0, 1);
    w.head(0, u.offset);
  }
  return w.buf.subarray(0, w.at);
}
