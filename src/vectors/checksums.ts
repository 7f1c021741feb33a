import { crc8 } from "../ncp/crc8.js";
import { crc32, sha256 } from "../platform/host/digest.js";
import { hex, text } from "./util.js";

/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR;
 * "123456789" -> 0x29B1), the checksum of ESP BLE OTA packets. No transport
 * here uses it yet; the vectors pin it down for the ports that will.
 */
export function crc16(b: Uint8Array): number {
  let c = 0xffff;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i] << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}

function inputs(): { name: string; data: Uint8Array }[] {
  const all = new Uint8Array(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const long = new Uint8Array(1000);
  for (let i = 0; i < long.length; i++) long[i] = (i * 7 + 3) & 255;
  return [
    { name: "empty", data: new Uint8Array(0) },
    { name: "check value: \"123456789\"", data: text("123456789") },
    { name: "\"abc\"", data: text("abc") },
    { name: "one zero byte", data: new Uint8Array(1) },
    { name: "one 0xFF byte", data: new Uint8Array([255]) },
    { name: "55 bytes: the longest one-block SHA-256 message", data: new Uint8Array(55).fill(0x61) },
    { name: "56 bytes: padding spills into a second block", data: text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") },
    { name: "64 bytes: exactly one block", data: new Uint8Array(64).fill(0x5a) },
    { name: "bytes 0..255", data: all },
    { name: "1000 bytes (i * 7 + 3) & 255", data: long },
  ];
}

/** Check values: CRC-8 (Blynk.NCP), CRC-16/CCITT-FALSE, CRC-32 (zlib), SHA-256, over the same inputs. */
export function checksumVectors() {
  return {
    about: "Check values over the same inputs (input as hex). crc8: poly 0x07, init 0, no reflection, no xorout (Blynk.NCP frames). " +
      "crc16: CRC-16/CCITT-FALSE, poly 0x1021, init 0xFFFF, no reflection, no xorout. crc32: zlib / IEEE 802.3 (reflected 0xEDB88320, " +
      "init and xorout 0xFFFFFFFF), as E.CRC32. sha256: FIPS 180-4. CRC values are numbers (the register, unsigned).",
    cases: inputs().map((x) => ({
      name: x.name, input: hex(x.data), crc8: crc8(x.data, 0, x.data.length), crc16: crc16(x.data), crc32: crc32(x.data), sha256: hex(sha256(x.data)),
    })),
  };
}
