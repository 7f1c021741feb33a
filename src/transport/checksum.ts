import { equalBytes } from "../core/bytes.js";
import { E_DIGEST, E_NO_DIGEST, OK } from "../core/errors.js";
import type { FileCheck } from "../core/session.js";

/** A checksum of a flash range as the digest's bytes, or undefined when it cannot be computed. */
export type RangeDigest = (address: number, length: number) => Uint8Array | undefined;

/** Algorithm name (as the server names it) → the platform's implementation. */
export interface Digests {
  [algorithm: string]: RangeDigest | undefined;
}

/** Lowercase or uppercase hex → bytes; undefined when it is not hex of an even length. */
export function fromHex(h: string): Uint8Array | undefined {
  if (h.length % 2 || !/^[0-9a-fA-F]*$/.test(h)) return undefined;
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(i * 2, 2), 16);
  return b;
}

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}

/** A 32-bit checksum (CRC-32, MurmurHash3_32) as its 4 bytes little-endian. */
export function u32le(v: number): Uint8Array {
  return new Uint8Array([v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24]);
}

/** The session's whole-file check by `algorithm` against the hex `checksum`: OK, NO_DIGEST or DIGEST. */
export function fileCheck(algorithm: string, checksum: string, digests: Digests): FileCheck {
  return (address, length) => {
    const f = digests[algorithm];
    const got = f ? f(address, length) : undefined;
    if (!got) return E_NO_DIGEST;
    return equalBytes(got, fromHex(checksum) as Uint8Array) ? OK : E_DIGEST;
  };
}
