import { getText, getU16, getU32, setText, setU16, setU32 } from "./bytes.js";
import { E_FORMAT, E_HEADER_CRC, E_MAGIC, OK } from "./errors.js";

/**
 * Image header: 128 bytes, little-endian, at offset 0 of every image.
 * | off | size | field |
 * | 0   | 4  | magic "EOTA" (0x41544F45) |
 * | 4   | 2  | format version (1) |
 * | 6   | 2  | header length (128) |
 * | 8   | 4  | payload length |
 * | 12  | 4  | image length: header + payload + trailer |
 * | 16  | 32 | SHA-256 of the payload |
 * | 48  | 12 | board id, NUL-padded |
 * | 60  | 32 | firmware type, NUL-padded |
 * | 92  | 12 | version, NUL-padded |
 * | 104 | 20 | build, NUL-padded |
 * | 124 | 4  | CRC-32 of bytes 0..123 |
 */
export const HEADER_SIZE = 128;
export const IMAGE_MAGIC = 0x41544f45;
export const FORMAT_VERSION = 1;

export const F_BOARD = 48;
export const F_TYPE = 60;
export const F_VERSION = 92;
export const F_BUILD = 104;
export const F_CRC = 124;
export const BOARD_LEN = 12;
export const TYPE_LEN = 32;
export const VERSION_LEN = 12;
export const BUILD_LEN = 20;

export interface ImageInfo {
  payloadLength: number;
  imageLength: number;
  sha256: Uint8Array;
  board: string;
  type: string;
  version: string;
  build: string;
}

export interface HeaderResult {
  code: number;
  info?: ImageInfo;
}

export type Crc32 = (data: Uint8Array) => number;

/** Decodes and checks a header's own consistency; board and type are the caller's business. */
export function parseHeader(b: Uint8Array, crc32: Crc32): HeaderResult {
  if (b.length < HEADER_SIZE || getU32(b, 0) !== IMAGE_MAGIC) return { code: E_MAGIC };
  if (crc32(b.subarray(0, F_CRC)) !== getU32(b, F_CRC)) return { code: E_HEADER_CRC };
  const payloadLength = getU32(b, 8);
  const imageLength = getU32(b, 12);
  if (getU16(b, 4) !== FORMAT_VERSION || getU16(b, 6) !== HEADER_SIZE ||
      imageLength < HEADER_SIZE + payloadLength) return { code: E_FORMAT };
  return {
    code: OK,
    info: {
      payloadLength: payloadLength,
      imageLength: imageLength,
      sha256: new Uint8Array(b.subarray(16, 48)),
      board: getText(b, F_BOARD, BOARD_LEN),
      type: getText(b, F_TYPE, TYPE_LEN),
      version: getText(b, F_VERSION, VERSION_LEN),
      build: getText(b, F_BUILD, BUILD_LEN),
    },
  };
}

/** Builds a header (host side: mkimage, tests). Throws when a text field does not fit. */
export function encodeHeader(info: ImageInfo, crc32: Crc32): Uint8Array {
  const b = new Uint8Array(HEADER_SIZE);
  setU32(b, 0, IMAGE_MAGIC);
  setU16(b, 4, FORMAT_VERSION);
  setU16(b, 6, HEADER_SIZE);
  setU32(b, 8, info.payloadLength);
  setU32(b, 12, info.imageLength);
  if (info.sha256.length !== 32) throw new Error("sha256 must be 32 bytes");
  b.set(info.sha256, 16);
  const fields: [number, number, string, string][] = [
    [F_BOARD, BOARD_LEN, info.board, "board"],
    [F_TYPE, TYPE_LEN, info.type, "type"],
    [F_VERSION, VERSION_LEN, info.version, "version"],
    [F_BUILD, BUILD_LEN, info.build, "build"],
  ];
  for (const f of fields) {
    if (!setText(b, f[0], f[1], f[2])) throw new Error(f[3] + " longer than " + f[1] + " bytes");
  }
  setU32(b, F_CRC, crc32(b.subarray(0, F_CRC)));
  return b;
}
