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
/** Set by build.mjs per board: a constant, so boards with crypto.SHA256 do not carry the JS one. */
declare const __BOARD_SHA256__: boolean;

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
