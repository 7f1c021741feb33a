import { crc8 } from "../ncp/crc8.js";
import { FrameDecoder, encodeFrame, frameBound } from "../ncp/frame.js";
import { MAX_PAYLOAD } from "../ncp/protocol.js";
import { TB_ALGORITHMS, tbChecksum } from "../peers/thingsboard/checksums.js";
import { checksumProblem } from "../thingsboard/checksum.js";
import { hex, text, unhex } from "./util.js";

function encode(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(frameBound(payload.length));
  return out.subarray(0, encodeFrame(payload, payload.length, out, crc8));
}

function decode(stream: Uint8Array): string[] {
  const got: string[] = [];
  const d = new FrameDecoder({ crc8: crc8, onFrame: (b, len) => got.push(hex(b.subarray(0, len))) });
  d.feed(stream);
  return got;
}

const cat = (...parts: (string | Uint8Array)[]) =>
  unhex(parts.map((p) => (typeof p === "string" ? p.replace(/\s+/g, "") : hex(p))).join(""));

/** Blynk.NCP frames: encoding (escapes, CRC-8) and what a receiver takes out of a byte stream. */
export function ncpVectors() {
  const enc: [string, string][] = [
    ["ncp.ping INVOKE uid 0x0101 msgId 2 (the Blynk C driver's vector)", "bc67 0101 0200"],
    ["its RESULT OK", "12a5 0200 00"],
    ["each special byte escaped as CC, byte ^ FF", "01 11 13 aa bb cc 02"],
    ["a CRC-8 that must itself be escaped", ""],
    ["otaUpdateWrite-shaped INVOKE with data", "bc67 8103 0700 00010000 0800 00112233445566aa cbf43926"],
    ["ONEWAY", "f31c 0102 01"],
  ];
  // Find a short payload whose CRC-8 is a special byte.
  for (let i = 0; i < 65536; i++) {
    const p = new Uint8Array([0x10, i & 255, i >> 8]);
    if (crc8(p, 0, 3) === 0xaa) {
      enc[3][1] = hex(p);
      break;
    }
  }
  const ping = encode(unhex("bc67 0101 0200".replace(/ /g, "")));
  const big = new Uint8Array(MAX_PAYLOAD + 1).fill(0x42);
  const streams: [string, Uint8Array][] = [
    ["one frame", ping],
    ["noise before, between and after frames is ignored", cat("00 bb 55", ping, "12 34", encode(unhex("12a5020000")), "ff")],
    ["a bad CRC-8 drops the frame, the next one is taken", cat("aa bc67 0101 0200 71 bb", ping)],
    ["a lost END: the next BEG starts over", cat("aa 01 02 03", ping)],
    ["an escape followed by a byte that is not a special one ^ FF drops the frame", cat("aa 01 cc 00 02 bb", ping)],
    ["escaped specials in payload and CRC", cat(encode(unhex("0111 13aa bbcc02")), encode(unhex(enc[3][1])))],
    ["a payload under 2 bytes is ignored", cat("aa bb aa 00 00 bb", ping)],
    ["a payload over 1536 bytes is dropped", cat(encode(big), ping)],
    ["a payload of exactly 1536 bytes is taken", encode(big.subarray(0, MAX_PAYLOAD))],
  ];
  return {
    about: "Blynk.NCP framing: BEG 0xAA, payload and its CRC-8 (poly 0x07 over the raw payload) with 0x11 0x13 0xAA 0xBB 0xCC " +
      "sent as 0xCC, byte ^ 0xFF, END 0xBB. encode: payload -> frame. decode: a byte stream -> the payloads (CRC-8 removed) a receiver " +
      "accepts, in order; receivers accept payloads of 2..1536 bytes.",
    maxPayload: MAX_PAYLOAD,
    encode: enc.map(([name, p]) => {
      const payload = unhex(p.replace(/\s+/g, ""));
      return { name: name, payload: hex(payload), crc8: crc8(payload, 0, payload.length), frame: hex(encode(payload)) };
    }),
    decode: streams.map(([name, s]) => ({ name: name, stream: hex(s), payloads: decode(s) })),
  };
}

/** ThingsBoard fw_checksum strings per algorithm, and which checksums a client must refuse before downloading. */
export function thingsboardVectors() {
  const long = new Uint8Array(1000);
  for (let i = 0; i < long.length; i++) long[i] = (i * 7 + 3) & 255;
  const inputs = [new Uint8Array(0), text("123456789"), text("hello"), long];
  const algs = Object.keys(TB_ALGORITHMS);
  const have = { SHA256: () => new Uint8Array(32), CRC32: () => new Uint8Array(4) };
  const problems: [string, string][] = [
    ["SHA256", "00".repeat(32)], ["SHA256", "AB".repeat(32)], ["SHA256", "00".repeat(31)], ["SHA256", "0".repeat(63)],
    ["SHA256", "zz".repeat(32)], ["CRC32", "2639f4cb"], ["CRC32", "2639F4CB"], ["CRC32", "cbf43926aa"], ["MD5", "00".repeat(16)],
    ["", ""], ["SHA1", "00".repeat(20)],
  ];
  return {
    about: "ThingsBoard fw_checksum values: lowercase hex of the digest bytes; CRC32 and MURMUR3_32 are the 32-bit value's bytes " +
      "little-endian (CRC32 of \"123456789\" = 0xCBF43926 -> \"2639f4cb\"). problems: what a client answers for a package's " +
      "(algorithm, checksum) when it can compute only `available`; \"\" = usable. A checksum is refused before downloading.",
    checksums: inputs.map((b) => {
      const out: Record<string, string> = { input: hex(b) };
      for (const a of algs) out[a] = tbChecksum(a, b);
      return out;
    }),
    available: Object.keys(have),
    problems: problems.map(([a, c]) => ({ algorithm: a, checksum: c, problem: checksumProblem(a, c, have) })),
  };
}
