import { decode, encode } from "cbor2";
import type { Command } from "../../drogue/protocol.js";
import { SWAP, SYNC, WAIT, WRITE } from "../../drogue/protocol.js";
import { fromLatin1, toLatin1 } from "../../platform/host/latin1.js";

/*
 * The service's side of both encodings, written apart from the device's
 * codecs: CBOR through cbor2 (an independent codec: the device's Status
 * must decode with it, its Commands must decode on the device), postcard
 * by hand from the Rust definitions (docs/drogue.md, "Postcard").
 */

/** A Status as the service reads it: versions as text (they are ASCII). */
export interface HostStatus {
  version: string;
  mtu: number | null;
  cid: number | null;
  update: { version: string; offset: number } | null;
}

export const FRAME = 1024;

type AnyMap = Map<unknown, unknown> | { [k: string]: unknown };

function get(m: AnyMap, index: number, name: string): unknown {
  if (m instanceof Map) return m.has(index) ? m.get(index) : m.get(name);
  const o = m as { [k: string]: unknown };
  return o[String(index)] !== undefined ? o[String(index)] : o[name];
}

function isMap(v: unknown): v is AnyMap {
  return !!v && typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v);
}

function text(v: unknown, what: string): string {
  if (v instanceof Uint8Array) return toLatin1(v);
  if (typeof v === "string") return v; // JSON-ish Status (the service takes version as text too)
  throw new Error(what + " is not bytes");
}

function optNum(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(what + " is not a u32");
  return v;
}

/** Status in CBOR, packed ({0: version, ...}) or with field names, as serde_cbor reads either. */
export function statusFromCbor(b: Uint8Array): HostStatus {
  const v = decode(b);
  if (!isMap(v)) throw new Error("status is not a map");
  const u = get(v, 3, "update");
  let update: HostStatus["update"] = null;
  if (u !== null && u !== undefined) {
    if (!isMap(u)) throw new Error("update is not a map");
    update = { version: text(get(u, 0, "version"), "update.version"), offset: optNum(get(u, 1, "offset"), "offset") ?? 0 };
  }
  return { version: text(get(v, 0, "version"), "version"), mtu: optNum(get(v, 1, "mtu"), "mtu"), cid: optNum(get(v, 2, "correlation_id"), "correlation_id"), update: update };
}

/** A Command in serde_cbor's packed form, as drogue-ajour sends it (updater.rs:225): None as null, never left out. */
export function commandToCbor(c: Command): Uint8Array {
  const f = new Map<number, unknown>();
  if (c.kind === WAIT) {
    f.set(0, c.cid);
    f.set(1, c.poll ?? null);
  } else {
    f.set(0, c.version);
    f.set(1, c.cid);
    if (c.kind === SYNC) f.set(2, c.poll ?? null);
    else if (c.kind === WRITE) {
      f.set(2, c.offset);
      f.set(3, c.data);
    } else if (c.kind === SWAP) f.set(2, c.checksum);
  }
  return encode(new Map([[c.kind, f]]));
}

// ---- postcard, host side

function varint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function opt(out: number[], v: number | null | undefined): void {
  if (v === null || v === undefined) out.push(0);
  else {
    out.push(1);
    varint(out, v);
  }
}

function bytes(out: number[], b: Uint8Array): void {
  varint(out, b.length);
  for (const x of b) out.push(x);
}

/** The postcard bytes of a Command (no frame). */
export function commandPostcard(c: Command): Uint8Array {
  const out: number[] = [];
  varint(out, c.kind);
  if (c.kind === WAIT) {
    opt(out, c.cid);
    opt(out, c.poll);
  } else {
    bytes(out, c.version as Uint8Array);
    opt(out, c.cid);
    if (c.kind === SYNC) opt(out, c.poll);
    else if (c.kind === WRITE) {
      varint(out, c.offset as number);
      bytes(out, c.data as Uint8Array);
    } else bytes(out, c.checksum as Uint8Array);
  }
  return Uint8Array.from(out);
}

/** A Command in a 1024-byte drgdfu frame. */
export function commandFrame(c: Command): Uint8Array {
  const p = commandPostcard(c);
  if (p.length > FRAME) throw new Error("command of " + p.length + " bytes does not fit a frame");
  const f = new Uint8Array(FRAME);
  f.set(p);
  return f;
}

/** Reads a Status from the start of a frame. */
export function statusFromPostcard(f: Uint8Array): HostStatus {
  let p = 0;
  const vi = (): number => {
    let v = 0;
    for (let i = 0, m = 1; i < 5; i++, m *= 128) {
      if (p >= f.length) throw new Error("truncated");
      const b = f[p++];
      v += (b & 0x7f) * m;
      if (!(b & 0x80)) return v;
    }
    throw new Error("varint too long");
  };
  const by = (): string => {
    const n = vi();
    if (p + n > f.length) throw new Error("bytes past the frame");
    const s = toLatin1(f.subarray(p, p + n));
    p += n;
    return s;
  };
  const op = (): boolean => {
    const t = f[p++];
    if (t > 1) throw new Error("option tag " + t);
    return t === 1;
  };
  const version = by();
  const mtu = op() ? vi() : null;
  const cid = op() ? vi() : null;
  const update = op() ? { version: by(), offset: vi() } : null;
  return { version, mtu, cid, update };
}

export const asBytes = (s: string): Uint8Array => fromLatin1(s);
