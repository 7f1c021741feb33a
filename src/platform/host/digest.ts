import { createHash } from "node:crypto";
import CRC32 from "crc-32";
import type { Digest } from "../../hal/digest.js";
import type { Flash } from "../../hal/flash.js";

export function crc32(data: Uint8Array): number {
  return CRC32.buf(data) >>> 0;
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

/** Host checksums over any Flash (the emulator, a file). */
export function hostDigest(flash: Flash): Digest {
  return {
    crc32: crc32,
    crc32Flash: (address, length) => crc32(flash.read(length, address)),
    sha256Flash: (address, length) => sha256(flash.read(length, address)),
  };
}
