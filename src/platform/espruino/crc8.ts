import type { Crc8 } from "../../ncp/crc8.js";
import { CRC8_T8 } from "./crc8-tables.js";

/*
 * CRC-8 of Blynk.NCP frames (poly 0x07) on the device: the byte-table loop,
 * its table shipped as a String (E.toUint8Array of a literal is one built-in
 * call; computing 256 entries at load cost the interpreter millions of
 * instructions). Only short frames get here: an otaUpdateWrite's CRC-8 is
 * checked only when the write is refused (src/ncp/frame.ts), so a chunk
 * costs no per-byte step. (Before that, a self-feeding E.mapInPlace chain
 * made long frames cheaper on large boards at the cost of an 8 KB table;
 * not needed any more.)
 */
export function loopCrc8(): Crc8 {
  const t = E.toUint8Array(CRC8_T8);
  return (b, start, end) => {
    let c = 0;
    let i = start;
    // Eight bytes a statement: the interpreter's cost is in statements and loop steps more than in
    // lookups (measured at -Os: about 10 k x86 instructions a byte this way, 17 k one byte a step).
    for (const n = end - 7; i < n; ) c = t[t[t[t[t[t[t[t[c ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]];
    // The rest (and a whole answer frame) in at most three statements, not one a byte.
    if (i + 4 <= end) c = t[t[t[t[c ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]];
    if (i + 2 <= end) c = t[t[c ^ b[i++]] ^ b[i++]];
    if (i < end) c = t[c ^ b[i]];
    return c;
  };
}
