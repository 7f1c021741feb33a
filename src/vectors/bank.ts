import { crc32 } from "../platform/host/digest.js";

/** What goes into one bank, field by field (README "Boot record", format 2), including values a decoder must refuse. */
export interface BankSpec {
  confirmed: number;
  pending: number;
  n: number;
  seq: number;
  flags?: number;
  crc?: [number, number];
  magic?: number;
  format?: number;
  /** Bytes 13..15 (must be zero). */
  pad?: number;
  /** XOR into the stored CRC-32 (0 = correct). */
  badCrc?: number;
  /** Confirm unit then trial units: "e" erased, "c" all 0x5A, "p" programmed, "h" half 0x5A (torn confirm), "1" one byte programmed, "b" one bit flipped. */
  units?: string;
}

/** The bytes of one bank built from the README's table (not from core's encoder), trailing erased bytes included. */
export function bankBytes(s: BankSpec, erase: number, align: number): Uint8Array {
  const u = Math.max(4, align);
  const at = Math.ceil(28 / u) * u;
  const units = s.units || "e";
  const b = new Uint8Array(at + u * units.length).fill(erase);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, s.magic === undefined ? 0x52424f45 : s.magic, true);
  b[4] = s.format === undefined ? 2 : s.format;
  b[5] = s.confirmed;
  b[6] = s.pending;
  b[7] = s.n;
  dv.setUint32(8, s.seq >>> 0, true);
  b[12] = s.flags || 0;
  b[13] = b[14] = b[15] = s.pad || 0;
  const crc = s.crc || [0, 0];
  dv.setUint32(16, crc[0] >>> 0, true);
  dv.setUint32(20, crc[1] >>> 0, true);
  dv.setUint32(24, (crc32(b.subarray(0, 24)) ^ (s.badCrc || 0)) >>> 0, true);
  const prog = 255 - erase;
  for (let k = 0; k < units.length; k++) {
    const o = at + k * u;
    const c = units[k];
    if (c === "c") b.fill(0x5a, o, o + u);
    else if (c === "p") b.fill(prog, o, o + u);
    else if (c === "h") b.fill(0x5a, o, o + (u >> 1));
    else if (c === "1") b[o + u - 1] = prog;
    else if (c === "b") b[o + 1] ^= 0x10;
  }
  return b;
}
