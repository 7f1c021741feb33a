import type { Digest } from "../../hal/digest.js";
import type { Flash } from "../../hal/flash.js";
import { FILE_HEADER, OTA_FILE } from "../../core/storage-plan.js";
import type { DeviceBoard } from "./board.js";
import { sha256Pieces } from "./sha256.js";

/** Set by build.mjs per board: constants, so a board carries only the code it can use. */
declare const __BOARD_SHA256__: boolean;
declare const __BOARD_MAPPED__: boolean;

/**
 * Built-in checksums over flash without a copy into JsVars. Every range they
 * see lies in the slots, inside the `.eota` Storage file, so a range is a
 * string over flash: `E.memoryArea` where flash is memory-mapped (nRF52),
 * otherwise a piece of `.eota` from `require("Storage").read`, a flash string
 * on SPI flash and on the Linux build (jsflash.c:1059-1078; measured there:
 * 128 KB for 4 JsVars). E.CRC32 walks it with an iterator. crypto.SHA256
 * copies a flash string onto the C stack (JSV_GET_AS_CHAR_ARRAY, jsvar.h):
 * fine on Linux (128 KB in 54 ms, 15 JsVars), "Not enough stack memory" past
 * a few KB on a board with SPI flash: then, and on Pixl.js (no SHA256), the
 * SHA-256 runs in JavaScript over 256-byte reads (sha256.ts).
 */
export function espruinoDigest(b: DeviceBoard, flash: Flash): Digest {
  const view = (address: number, length: number): string =>
    __BOARD_MAPPED__ ? E.memoryArea(address, length) : require("Storage").read(OTA_FILE, address - b.otaHeader - FILE_HEADER, length) || "";
  const builtin = (address: number, length: number) => new Uint8Array(require("crypto").SHA256(view(address, length)));
  // Constant conditions: each board's bundle keeps one of the three, and sha256.ts only where it is used.
  const sha256Flash = !__BOARD_SHA256__ ? jsSha256(flash) : __BOARD_MAPPED__ ? builtin : withFallback(builtin, jsSha256(flash));
  return {
    crc32: (data) => E.CRC32(data),
    crc32Flash: (address, length) => E.CRC32(view(address, length)),
    sha256Flash: sha256Flash,
  };
}

type Sha = (address: number, length: number) => Uint8Array;

function jsSha256(flash: Flash): Sha {
  return (address, length) => sha256Pieces(length, (n, o) => flash.read(n, address + o));
}

/** The built-in, or JavaScript where the built-in runs out of stack for the copy it makes. */
function withFallback(builtin: Sha, js: Sha): Sha {
  return (address, length) => {
    try {
      return builtin(address, length);
    } catch (e) {
      return js(address, length);
    }
  };
}
