import type { Crc8 } from "../../ncp/crc8.js";
import { CRC8_T8, CRC8_U2, CRC8_U4, PROBE_CRC } from "./crc8-tables.js";

/*
 * CRC-8 of Blynk.NCP frames (poly 0x07) on the device, with no table built
 * in JavaScript: the tables are made at build time and shipped as Strings
 * (E.toUint8Array of a literal is one built-in call), so loading the client
 * costs no per-entry interpreted work (it cost about 700 M x86 instructions
 * when the 4096-entry table was computed at load).
 *
 * Short frames: the byte-table loop. Long frames: a self-feeding
 * E.mapInPlace chain. State bytes c_j and K-bit data pieces d_j sit
 * alternately in one buffer [x c0 d0 c1 d1 ...]; mapInPlace reads the 16-bit
 * element (c_j, d_j) through a view at byte 1, looks up
 * TAB[c | d<<8] = step(c, d) << 8 and writes it through a view at byte 2,
 * which puts c_{j+1} exactly where the next read picks it up. The whole
 * recurrence runs inside one built-in call. It relies on mapInPlace going
 * element by element straight in RAM, with unaligned views, as 2v29 does:
 * a self-check against known CRCs decides once, and falls back to the loop.
 *
 * TAB comes from U[v] = step(v, 0) (256 bytes, shipped): CRCs are linear, so
 * step(c, d) = U[c ^ (d << (8 - K))], i.e. TAB's row for d is U with blocks of
 * 2^(8-K) entries swapped; each bit of d doubles the rows made so far with
 * 2^K block copies (Uint16Array.set): K * 2^K built-in calls in all.
 * RAM: a 2^(9+K)-byte table (K = 2: 2 KB, K = 4: 8 KB) and a 514-byte work
 * buffer, allocated when the client bundle loads (at boot, before the
 * application allocates) and filled at the first long frame (about 10 M x86
 * instructions once, so not at every boot): in fragmented memory the table may not get one flat block and
 * every lookup then walks a chain (measured: 12-16 ms instead of 1.4 ms a
 * frame), so a table that is not flat (E.getAddressOf) means the loop.
 * build.mjs picks K by the board's RAM (0 = no chain: the loop alone, for
 * 2600-JsVar boards). test/ceilings.test.ts checks the literals.
 */
declare const __CRC8_K__: number;
const K = __CRC8_K__;
const PIECE = 64;
const STEPS = K ? PIECE * (8 / K) : 0;

/** The byte-table loop over a shipped table. */
export function loopCrc8(): Crc8 {
  const t = E.toUint8Array(CRC8_T8);
  return (b, start, end) => {
    let c = 0;
    let i = start;
    // Eight bytes a statement: the interpreter's cost is in statements and loop steps more than in
    // lookups (measured at -Os: about 10 k x86 instructions a byte this way, 17 k one byte a step).
    for (const n = end - 7; i < n; ) c = t[t[t[t[t[t[t[t[c ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]] ^ b[i++]];
    while (i < end) c = t[c ^ b[i++]];
    return c;
  };
}

/** The loop, and where build.mjs gave K > 0 the chain for long frames (a constant: boards without one carry none of it). */
export function chainCrc8(): Crc8 {
  // The define itself, not K: esbuild drops the dead branch (and withChain) only for a literal.
  return __CRC8_K__ ? withChain(loopCrc8()) : loopCrc8();
}

// Allocated when this module loads, first in the client bundle (client-main imports it first), while
// the heap still has room in one piece: made later, among the client's other objects, it came out
// in pieces on the Linux build (E.getAddressOf 0) and the chain was never used.
const TAB = K ? new Uint16Array(256 << K) : undefined;

function withChain(loop: Crc8): Crc8 {
  const tab = TAB!;
  const w = new Uint8Array(2 * STEPS + 2);
  const unp = new Uint16Array(w.buffer, 2, STEPS);
  const rd = new Uint16Array(w.buffer, 1, STEPS);
  const wr = new Uint16Array(w.buffer, 2, STEPS);
  const chain = (b: Uint8Array, start: number, end: number): number => {
    let c = 0;
    for (let off = start; off < end; off += PIECE) {
      const len = Math.min(PIECE, end - off);
      E.mapInPlace(b.subarray(off, off + len), unp, undefined, K);
      w[1] = c;
      E.mapInPlace(rd, wr, tab, 16);
      c = w[(8 / K) * 2 * len + 1];
    }
    return c;
  };
  // Filled at the first long frame (the first chunk), not at load: the table is
  // allocated now so that it gets one flat block, its 2^K * K copies and the
  // self-check wait until the chain is needed (0 = not yet, 1 = ok, -1 = use the loop).
  let state = 0;
  const fill = (): number => {
    // Row 0: U into the high bytes (a view at byte 1 writes U[i] to byte 2i+1 and 0 to byte 2i+2).
    E.mapInPlace(E.toUint8Array(K === 4 ? CRC8_U4 : CRC8_U2), new Uint16Array(tab.buffer, 1, 256), undefined);
    for (let j = 0; j < K; j++) {
      // Rows d + D (d < D) are rows d with blocks of B entries swapped.
      const D = 1 << j;
      const B = 1 << (8 - K + j);
      for (let d = 0; d < D; d++) {
        const src = d << 8;
        const dst = (d + D) << 8;
        for (let o = 0; o < 256; o += 2 * B) {
          tab.set(tab.subarray(src + o, src + o + B), dst + o + B);
          tab.set(tab.subarray(src + o + B, src + o + 2 * B), dst + o);
        }
      }
    }
    const probe = E.toUint8Array(CRC8_T8);
    return E.getAddressOf(tab, true) !== 0 && chain(probe, 0, 150) === PROBE_CRC[0] && chain(probe, 7, 71) === PROBE_CRC[1] ? 1 : -1;
  };
  return (b, start, end) => {
    if (end - start < PIECE) return loop(b, start, end);
    if (!state) state = fill();
    return state > 0 ? chain(b, start, end) : loop(b, start, end);
  };
}
