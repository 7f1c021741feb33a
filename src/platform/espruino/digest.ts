import type { Digest } from "../../hal/digest.js";
import type { Flash } from "../../hal/flash.js";
import type { DeviceBoard } from "./board.js";
import { sha256Pieces } from "./sha256.js";

/**
 * Built-in checksums. Where flash is memory-mapped, E.memoryArea hands the
 * range to E.CRC32 / SHA256 without a copy; elsewhere (Linux, SPI flash) it
 * is read into RAM first, which bounds the image to free RAM. Without
 * crypto.SHA256 (Pixl.js) SHA-256 runs in JavaScript over 256-byte reads.
 */
/** Set by build.mjs per board: constants, so a board carries only the code it can use. */
declare const __BOARD_SHA256__: boolean;
declare const __BOARD_MAPPED__: boolean;

export function espruinoDigest(b: DeviceBoard, flash: Flash): Digest {
  const view = (address: number, length: number): Uint8Array | string =>
    b.memoryMapped ? E.memoryArea(address, length) : flash.read(length, address);
  return {
    crc32: (data) => E.CRC32(data),
    crc32Flash: (address, length) => E.CRC32(view(address, length)),
    sha256Flash: (address, length) =>
      __BOARD_SHA256__ ? new Uint8Array(require("crypto").SHA256(view(address, length))) : sha256Pieces(length, (n, o) => flash.read(n, address + o)),
  };
}

/**
 * The client's digest: on boards whose flash is not memory-mapped, the
 * checksums of a flash range longer than a chunk run over 256-byte reads instead
 * of the built-in over a RAM copy of the whole range. crypto.SHA256 and
 * E.CRC32 are one-shot and need the bytes in one piece: on the Linux build
 * `Storage.read` also returns a RAM copy, and on SPI flash (Bangle.js 2) the
 * flash String it returns is copied onto the C stack by crypto
 * (JSV_GET_AS_CHAR_ARRAY: "Not enough stack memory" past a few KB). A 128 KB
 * image in RAM is about 4900 JsVars on the Linux build (27-byte JsVars) and
 * more than an ESP32 has free next to an application: the finish would run
 * out of memory. So SHA-256 runs in JavaScript (sha256.ts: a few hundred
 * JsVars, and time: README, "Benchmarks"), and CRC-32 stays the built-in,
 * continued from piece to piece (crc32Pieces). The boot stub keeps the
 * built-ins: it copies the image into RAM anyway to run it.
 */
export function clientDigest(b: DeviceBoard, flash: Flash): Digest {
  const d = espruinoDigest(b, flash);
  // A constant condition: memory-mapped boards drop `streamed` (and sha256.ts) from the bundle.
  return __BOARD_MAPPED__ || !__BOARD_SHA256__ ? d : streamed(d, flash);
}

const PIECE = 256;
/** Up to a chunk (the read-back of each write) the built-in over one read is cheaper. */
const ONE_READ = 1024;

function streamed(d: Digest, flash: Flash): Digest {
  return {
    crc32: d.crc32,
    crc32Flash: (address, length) => (length <= ONE_READ ? d.crc32Flash(address, length) : crc32Pieces(length, (n, o) => flash.read(n, address + o))),
    sha256Flash: (address, length) => sha256Pieces(length, (n, o) => flash.read(n, address + o)),
  };
}

let T: Uint32Array | undefined;
let INV: Uint8Array | undefined;

/**
 * E.CRC32 (zlib's CRC-32) of `length` bytes read in pieces: E.CRC32 cannot
 * continue from a value, so each piece after the first is prefixed with 4
 * bytes that bring the CRC register to where the previous pieces left it
 * (CRC "forging": the register after 4 bytes is a bijection of them, found
 * backwards through the table, whose top bytes are all distinct). The table
 * comes from E.CRC32 itself (T[i ^ 255] = ~E.CRC32([i]) ^ 0xFFFFFF), made at
 * the first call: 512 interpreted steps, once.
 */
export function crc32Pieces(length: number, read: (n: number, offset: number) => Uint8Array): number {
  if (!T || !INV) {
    T = new Uint32Array(256);
    INV = new Uint8Array(256);
    const one = new Uint8Array(1);
    for (let i = 0; i < 256; i++) {
      one[0] = i;
      T[i ^ 255] = (~E.CRC32(one) ^ 0xffffff) >>> 0;
    }
    for (let i = 0; i < 256; i++) INV[T[i] >>> 24] = i;
  }
  const t = T;
  const inv = INV;
  const buf = new Uint8Array(4 + PIECE);
  const idx = new Uint8Array(4);
  let crc = 0;
  for (let off = 0; off < length; off += PIECE) {
    const n = Math.min(PIECE, length - off);
    buf.set(read(n, off), 4);
    if (off === 0) {
      crc = E.CRC32(buf.subarray(4, 4 + n));
      continue;
    }
    // The 4 table indices that end in the register ~crc, last first; then the bytes that pick them from the initial register.
    let s = ~crc >>> 0;
    for (let j = 3; j >= 0; j--) {
      const k = inv[s >>> 24];
      idx[j] = k;
      s = ((s ^ t[k]) << 8) >>> 0;
    }
    let r = 0xffffffff;
    for (let j = 0; j < 4; j++) {
      buf[j] = (r ^ idx[j]) & 255;
      r = ((r >>> 8) ^ t[idx[j]]) >>> 0;
    }
    crc = E.CRC32(buf.subarray(0, 4 + n));
  }
  return crc >>> 0;
}
