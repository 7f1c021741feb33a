import { verifySlot } from "../boot/verify.js";
import { errorName } from "../core/errors.js";
import { F_CRC, HEADER_SIZE, type ImageInfo, encodeHeader, parseHeader } from "../core/header.js";
import { hostDigest } from "../platform/host/digest.js";
import { crc32, sha256 } from "../platform/host/digest.js";
import { buildImage } from "../testbench/image.js";
import { hex, makeFlash, trim } from "./util.js";

const setU32 = (b: Uint8Array, o: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(o, v >>> 0, true);
const setU16 = (b: Uint8Array, o: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint16(o, v, true);
/** Recomputes the header CRC-32 after a change, so only the changed field is wrong. */
const reseal = (b: Uint8Array) => {
  setU32(b, F_CRC, crc32(b.subarray(0, F_CRC)));
  return b;
};

function infoJson(i: ImageInfo) {
  return {
    payloadLength: i.payloadLength, imageLength: i.imageLength, sha256: hex(i.sha256),
    board: i.board, type: i.type, version: i.version, build: i.build,
  };
}

export function payloadOf(n: number, salt: number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = (i * 31 + salt * 7 + 1) & 255;
  return p;
}

/** Header parsing (every refusal and its code) and the whole-image check the boot stub runs on a slot. */
export function headerVectors() {
  const base: ImageInfo = {
    payloadLength: 1000, imageLength: 1200, sha256: sha256(payloadOf(1000, 1)),
    board: "PUCKJS", type: "TMPL1234ABCD", version: "1.2.0", build: "2026-11-26 12:00",
  };
  const good = () => encodeHeader(base, crc32);
  const cases: [string, Uint8Array][] = [];
  cases.push(["valid", good()]);
  cases.push(["valid: text fields filling their whole width (no NUL)", encodeHeader({
    ...base, board: "ABCDEFGHIJKL", type: "T".repeat(32), version: "123456789012", build: "B".repeat(20),
  }, crc32)]);
  cases.push(["valid: empty text fields, payload 0, image length exactly 128 + payload", encodeHeader({
    ...base, payloadLength: 0, imageLength: 128, board: "", type: "", version: "", build: "",
  }, crc32)]);
  cases.push(["valid: largest lengths", encodeHeader({ ...base, payloadLength: 0xffffff7f, imageLength: 0xffffffff }, crc32)]);
  cases.push(["valid: a field's bytes after its first NUL are not part of it", (() => {
    const b = good();
    b[48 + 8] = 0x58; // "PUCKJS\0\0X\0\0\0"
    return reseal(b);
  })()]);
  cases.push(["MAGIC: 127 bytes", good().subarray(0, 127)]);
  cases.push(["MAGIC: erased (0xFF)", new Uint8Array(128).fill(255)]);
  cases.push(["MAGIC: erased (0x00)", new Uint8Array(128)]);
  cases.push(["MAGIC: one bit of the magic", (() => {
    const b = good();
    b[3] ^= 0x80;
    return reseal(b);
  })()]);
  cases.push(["HEADER_CRC: one bit of the version text", (() => {
    const b = good();
    b[92] ^= 1;
    return b;
  })()]);
  cases.push(["HEADER_CRC: the CRC field itself", (() => {
    const b = good();
    b[127] ^= 0x10;
    return b;
  })()]);
  cases.push(["HEADER_CRC: checked before the format fields", (() => {
    const b = good();
    setU16(b, 4, 2);
    return b;
  })()]);
  cases.push(["FORMAT: format version 2", (() => {
    const b = good();
    setU16(b, 4, 2);
    return reseal(b);
  })()]);
  cases.push(["FORMAT: format version 0", (() => {
    const b = good();
    setU16(b, 4, 0);
    return reseal(b);
  })()]);
  cases.push(["FORMAT: header length 256", (() => {
    const b = good();
    setU16(b, 6, 256);
    return reseal(b);
  })()]);
  cases.push(["FORMAT: image length < 128 + payload length", encodeHeader({ ...base, imageLength: 1127 }, crc32)]);
  cases.push(["FORMAT: 128 + payload length wraps past 2^32 (compare without overflow)", encodeHeader({ ...base, payloadLength: 0xffffffff, imageLength: 0xffffffff }, crc32)]);
  const parse = cases.map(([name, b]) => {
    const r = parseHeader(b, crc32);
    return { name: name, bytes: hex(b), code: r.code, error: errorName(r.code), info: r.info ? infoJson(r.info) : undefined };
  });
  return {
    about: "Image header (README \"Image format\"). parse: header bytes -> code (errors.ts; 0 = OK) and the decoded fields; " +
      "checks in order: length >= 128 and magic (MAGIC), CRC-32 of bytes 0..123 (HEADER_CRC), format version 1, header length 128, " +
      "image length >= 128 + payload length (FORMAT). Text fields end at their first NUL. verify: the slot check the boot stub runs " +
      "(flash from `address` holds `image`, the rest erased): parse, board, image length <= slot size (TOO_LARGE), then the payload: " +
      "with `payloadCrc` (crcAtBoot and a CRC-32 in the record) a payload whose CRC-32 equals it is accepted, anything else gets SHA-256 " +
      "against the header (PAYLOAD_DIGEST).",
    parse: parse,
    verify: verifyVectors(),
  };
}

function verifyVectors() {
  const board = "PUCKJS";
  const p = payloadOf(300, 2);
  const img = buildImage({ board: board, type: "TMPL1234ABCD", version: "2.0.0", build: "b", payload: p });
  const rot = img.slice();
  rot[HEADER_SIZE + 17] ^= 4;
  const cases: { name: string; image: Uint8Array; slotSize: number; board: string; payloadCrc?: number }[] = [
    { name: "valid, SHA-256", image: img, slotSize: 1024, board: board },
    { name: "valid, CRC-32 from the record matches", image: img, slotSize: 1024, board: board, payloadCrc: crc32(p) },
    { name: "valid: a wrong record CRC-32 falls back to SHA-256", image: img, slotSize: 1024, board: board, payloadCrc: crc32(p) ^ 1 },
    { name: "valid: image exactly the slot's size", image: img, slotSize: img.length, board: board },
    { name: "TOO_LARGE: image one byte larger than the slot", image: img, slotSize: img.length - 1, board: board },
    { name: "WRONG_BOARD", image: img, slotSize: 1024, board: "PIXLJS" },
    { name: "WRONG_BOARD: board ids compare exactly", image: img, slotSize: 1024, board: "PUCKJS2" },
    { name: "PAYLOAD_DIGEST: a flipped payload bit", image: rot, slotSize: 1024, board: board },
    { name: "PAYLOAD_DIGEST: a flipped bit, the record CRC-32 of the good payload", image: rot, slotSize: 1024, board: board, payloadCrc: crc32(p) },
    { name: "trailer bytes are not checked", image: (() => {
      const b = img.slice();
      b[b.length - 3] ^= 0xff;
      return b;
    })(), slotSize: 1024, board: board },
    { name: "HEADER_CRC in the slot", image: (() => {
      const b = img.slice();
      b[60] ^= 1;
      return b;
    })(), slotSize: 1024, board: board },
    { name: "MAGIC: an erased slot", image: new Uint8Array(0), slotSize: 1024, board: board },
  ];
  const address = 0x400;
  return cases.map((c) => {
    const flash = makeFlash({ base: 0, size: 0x1000, blockLength: 0x400, writeAlign: 4, eraseValue: 255 }, [{ address: address, data: hex(trim(c.image, 255)) }]);
    const r = verifySlot(flash, hostDigest(flash), { address: address, size: c.slotSize }, c.board, c.payloadCrc);
    return {
      name: c.name, address: address, image: hex(c.image), eraseValue: 255, slotSize: c.slotSize, board: c.board,
      payloadCrc: c.payloadCrc, code: r.code, error: errorName(r.code),
    };
  });
}
