import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tbChecksum } from "../src/peers/thingsboard/checksums.js";
import { murmur3_128, murmur3_32 } from "../src/peers/thingsboard/murmur3.js";
import { mergeAttributes, targetOf } from "../src/thingsboard/attributes.js";
import { checksumProblem } from "../src/thingsboard/checksum.js";
import { fromHex, toHex } from "../src/transport/checksum.js";

const t = suite("thingsboard: checksums and attributes");
const text = (s: string) => new TextEncoder().encode(s);
const FOX = text("The quick brown fox jumps over the lazy dog");

t("CRC32 is written little-endian as ThingsBoard does: CRC32(\"123456789\") is 2639f4cb", () => {
  assert.is(tbChecksum("CRC32", text("123456789")), "2639f4cb");
});

t("MD5 and the SHA family match their published vectors", () => {
  assert.is(tbChecksum("MD5", text("abc")), "900150983cd24fb0d6963f7d28e17f72");
  assert.is(tbChecksum("SHA256", text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.is(tbChecksum("SHA384", text("abc")).slice(0, 16), "cb00753f45a35e8b");
  assert.is(tbChecksum("SHA512", text("abc")).slice(0, 16), "ddaf35a193617aba");
});

t("MurmurHash3 x86_32 and x64_128 (seed 0) match the reference vectors, printed in Guava's byte order", () => {
  assert.is(murmur3_32(text("")), 0);
  assert.is(murmur3_32(text("hello")), 0x248bfa47);
  assert.is(murmur3_32(FOX), 0x2e4ff723);
  assert.is(tbChecksum("MURMUR3_32", text("hello")), "47fa8b24");
  assert.is(toHex(murmur3_128(text(""))), "0".repeat(32));
  assert.is(toHex(murmur3_128(FOX)), "6c1b07bc7bbc4be347939ac4a93c437a");
  assert.is(tbChecksum("MURMUR3_128", text("hello")), "029bbd41b3a7d8cb191dae486a901e5b");
});

t("hex decoding refuses odd lengths and non-hex; a checksum must fit its algorithm and the board", () => {
  assert.equal(fromHex("0aFf"), new Uint8Array([10, 255]));
  assert.is(fromHex("abc"), undefined);
  assert.is(fromHex("zz"), undefined);
  const d = { SHA256: () => new Uint8Array(32) };
  assert.is(checksumProblem("SHA256", "00".repeat(32), d), "");
  assert.is(checksumProblem("SHA256", "00".repeat(31), d), "BAD_CHECKSUM_VALUE: SHA256");
  assert.is(checksumProblem("MD5", "00".repeat(16), d), "UNSUPPORTED_CHECKSUM: MD5");
  assert.is(checksumProblem("", "", d), "UNKNOWN_CHECKSUM: none");
  assert.is(checksumProblem("SHA1", "", d), "UNKNOWN_CHECKSUM: SHA1");
});

t("attributes: a response replaces the fw_* keys, an update merges, a deletion removes", () => {
  const k: { [key: string]: unknown } = {};
  mergeAttributes(k, { fw_title: "T", fw_version: "2", fw_size: 100, fw_checksum: "AB", fw_checksum_algorithm: "sha256" }, false);
  assert.equal(targetOf(k), { title: "T", version: "2", size: 100, checksum: "ab", algorithm: "SHA256", url: "" });
  mergeAttributes(k, { fw_version: "3" }, true);
  assert.is(targetOf(k)!.version, "3");
  mergeAttributes(k, { deleted: ["fw_title", "fw_version", "fw_size", "fw_checksum", "fw_checksum_algorithm"] }, true);
  assert.is(targetOf(k), undefined);
  mergeAttributes(k, { fw_title: "T" }, true);
  mergeAttributes(k, {}, false);
  assert.equal(k, {}, "an answer without the keys means nothing is assigned");
});

t.run();
