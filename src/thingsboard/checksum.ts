import { fromHex } from "../transport/checksum.js";
import type { TbDigests } from "./ports.js";

/** ThingsBoard's algorithms and their digest lengths in bytes. */
export const DIGEST_LENGTH: { [algorithm: string]: number } = {
  MD5: 16, SHA256: 32, SHA384: 48, SHA512: 64, CRC32: 4, MURMUR3_32: 4, MURMUR3_128: 16,
};

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
