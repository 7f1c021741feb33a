import { createHash } from "node:crypto";
import CRC32 from "crc-32";
import type { Flash } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";

/**
 * The sweep's own reading of flash. It repeats the documented formats (README
 * "Image format", "Boot record") with Node's crypto and the crc-32 package
 * instead of calling core/, so a bug in core's decoders cannot hide itself.
 */

const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
const crc = (b: Uint8Array) => CRC32.buf(b) >>> 0;

export interface Img {
  version: string;
  bytes: Uint8Array;
  /** A healthy image confirms itself once it runs; a bad one never does. */
  healthy: boolean;
}

/** Header CRC, lengths and payload SHA-256 of the image at `address`, from the raw bytes. */
export function imageValid(flash: Flash, address: number, slotSize: number): boolean {
  const h = flash.read(128, address);
  if (u32(h, 0) !== 0x41544f45 || (h[4] | (h[5] << 8)) !== 1 || (h[6] | (h[7] << 8)) !== 128) return false;
  if (crc(h.subarray(0, 124)) !== u32(h, 124)) return false;
  const payload = u32(h, 8);
  const total = u32(h, 12);
  if (total < 128 + payload || total > slotSize) return false;
  const sha = createHash("sha256").update(flash.read(payload, address + 128)).digest();
  return Buffer.compare(sha, Buffer.from(h.subarray(16, 48))) === 0;
}

/** True when the slot holds exactly this image's bytes. */
export function holds(flash: Flash, address: number, img: Img): boolean {
  return Buffer.compare(Buffer.from(flash.read(img.bytes.length, address)), Buffer.from(img.bytes)) === 0;
}

export interface RawRecord {
  seq: number;
  confirmed: number;
  pending: number;
  /** Trial units spent (any unit not wholly erased), and whether the confirm unit is complete. */
  used: number;
  confirmUnit: boolean;
}

/**
 * The winning boot record, read by the README's rules alone: magic, format,
 * CRC-32, field ranges (slots 0/1, pending 255 or the other slot, N 1..16,
 * zero bytes), the higher sequence in serial arithmetic; then the units of
 * U = max(4, write alignment) bytes from roundUp(28, U): the confirm unit
 * (all 0x5A) and N trial units. Undefined when no bank decodes.
 */
export function readRecord(flash: Flash, banks: number[]): RawRecord | undefined {
  const st = flash.status();
  const U = Math.max(4, st.writeAlign);
  let best: RawRecord | undefined;
  for (const a of banks) {
    const b = flash.read(28, a);
    if (u32(b, 0) !== 0x52424f45 || b[4] !== 2 || crc(b.subarray(0, 24)) !== u32(b, 24)) continue;
    const c = b[5], p = b[6], n = b[7];
    if (c > 1 || (p !== 255 && p !== 1 - c) || n < 1 || n > 16 || b[13] || b[14] || b[15]) continue;
    const units = flash.read((n + 1) * U, a + Math.ceil(28 / U) * U);
    let used = 0;
    for (let k = 1; k <= n; k++) if (units.subarray(k * U, (k + 1) * U).some((x) => x !== st.eraseValue)) used++;
    const r = { seq: u32(b, 8), confirmed: c, pending: p, used: used, confirmUnit: units.subarray(0, U).every((x) => x === 0x5a) };
    if (!best || ((r.seq - best.seq) | 0) > 0) best = r;
  }
  return best;
}

export interface Area {
  start: number;
  end: number;
}

/** The only places an update may touch: both image slots and the two record banks' blocks. */
export function allowedAreas(flash: Flash, layout: Layout): { slots: Area[]; banks: Area[] } {
  return {
    slots: layout.slots.map((s) => ({ start: s.address, end: s.address + s.size })),
    banks: layout.banks.map((a) => {
      const b = flash.block(a);
      return { start: b.start, end: b.start + b.length };
    }),
  };
}

export const overlaps = (a: Area, s: number, e: number) => s < a.end && a.start < e;
export const inside = (a: Area, s: number, e: number) => a.start <= s && e <= a.end;

/** Whether every byte outside `keep` is the same in both copies of the whole flash. */
export function sameOutside(a: Uint8Array, b: Uint8Array, base: number, keep: Area[]): boolean {
  const cuts = keep.map((k) => [k.start - base, k.end - base]).sort((x, y) => x[0] - y[0]);
  let at = 0;
  for (const [s, e] of cuts.concat([[a.length, a.length]])) {
    if (s > at && Buffer.compare(Buffer.from(a.buffer, a.byteOffset + at, s - at), Buffer.from(b.buffer, b.byteOffset + at, s - at)) !== 0) return false;
    at = Math.max(at, e);
  }
  return true;
}
