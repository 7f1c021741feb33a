import { createHash } from "node:crypto";
import type { Flash } from "../../hal/flash.js";
import { toHex, u32le } from "../../transport/checksum.js";
import type { TbDigests } from "../../thingsboard/ports.js";
import { crc32 } from "../../platform/host/digest.js";
import { murmur3_128, murmur3_32 } from "./murmur3.js";

const hash = (name: string) => (b: Uint8Array) => new Uint8Array(createHash(name).update(b).digest());

/** Every ThingsBoard algorithm over bytes, as the digest's bytes (CRC32 and MURMUR3_32 little-endian). */
export const TB_ALGORITHMS: { [algorithm: string]: (b: Uint8Array) => Uint8Array } = {
  MD5: hash("md5"),
  SHA256: hash("sha256"),
  SHA384: hash("sha384"),
  SHA512: hash("sha512"),
  CRC32: (b) => u32le(crc32(b)),
  MURMUR3_32: (b) => u32le(murmur3_32(b)),
  MURMUR3_128: (b) => murmur3_128(b),
};

/** The fw_checksum value ThingsBoard would store for a file. */
export function tbChecksum(algorithm: string, data: Uint8Array): string {
  const f = TB_ALGORITHMS[algorithm];
  if (!f) throw new Error("unknown checksum algorithm " + algorithm);
  return toHex(f(data));
}

/** The host can compute them all; `only` narrows the set (to act like a board that lacks some). */
export function hostTbDigests(flash: Flash, only?: string[]): TbDigests {
  const d: TbDigests = {};
  for (const name of Object.keys(TB_ALGORITHMS)) {
    if (only && only.indexOf(name) < 0) continue;
    d[name] = (address, length) => TB_ALGORITHMS[name](flash.read(length, address));
  }
  return d;
}
