import { equalBytes } from "../core/bytes.js";
import { E_DIGEST, E_NO_DIGEST, OK } from "../core/errors.js";
import type { FileCheck } from "../core/session.js";
import type { TbDigests } from "./ports.js";

/** ThingsBoard's algorithms and their digest lengths in bytes. */
export const DIGEST_LENGTH: { [algorithm: string]: number } = {
  MD5: 16, SHA256: 32, SHA384: 48, SHA512: 64, CRC32: 4, MURMUR3_32: 4, MURMUR3_128: 16,
};

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

/** A CRC-32 or MurmurHash3_32 value as ThingsBoard writes it: its 4 bytes little-endian. */
export function u32le(v: number): Uint8Array {
  return new Uint8Array([v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24]);
}

/**
 * Why a package's checksum cannot be used, as an fw_error, or "" when it
 * can: the algorithm must be known and computable here, and the value must
 * be hex of that algorithm's length. Checked before downloading, so an
 * unverifiable image is never fetched, let alone accepted.
 */
export function checksumProblem(algorithm: string, checksum: string, digests: TbDigests): string {
  const len = DIGEST_LENGTH[algorithm];
  if (!len) return "UNKNOWN_CHECKSUM: " + (algorithm || "none");
  if (!digests[algorithm]) return "UNSUPPORTED_CHECKSUM: " + algorithm;
  const b = fromHex(checksum);
  if (!b || b.length !== len) return "BAD_CHECKSUM_VALUE: " + algorithm;
  return "";
}

/** The session's whole-file check for a non-SHA-256 algorithm: OK or DIGEST. */
export function fileCheck(algorithm: string, checksum: string, digests: TbDigests): FileCheck {
  return (address, length) => {
    const f = digests[algorithm];
    const got = f ? f(address, length) : undefined;
    if (!got) return E_NO_DIGEST;
    return equalBytes(got, fromHex(checksum) as Uint8Array) ? OK : E_DIGEST;
  };
}
