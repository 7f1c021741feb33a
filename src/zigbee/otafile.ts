import { getU16 as u16le, getU32 as u32le, setU16 as put16le, setU32 as put32le } from "../core/bytes.js";

/**
 * The Zigbee OTA file (ZCL OTA Upgrade cluster): a little-endian header and
 * sub-elements (tag u16, length u32, data). Tag 0 (upgrade image) carries our
 * own image (core/header.ts), which the session stages; every other tag the
 * client knows is skipped unread, none is trusted (ECDSA signatures and
 * certificates, the integrity code: the image's own SHA-256 is the check).
 * Codes and checks: docs/zigbee.md.
 */
export const OTA_FILE_ID = 0x0beef11e;
export const OTA_HEADER_VERSION = 0x0100;
export const OTA_HEADER_MIN = 56;
/** Largest header: 56 + security credential version (1) + destination IEEE (8) + hardware versions (4). */
export const OTA_HEADER_MAX = 69;
export const ELEMENT_HEAD = 6;
export const TAG_UPGRADE_IMAGE = 0x0000;

// Refusals of a Zigbee OTA file (README "Bad-input catalog"); apart from the core's codes (0-26).
export const ZF_FILE_ID = 64;
export const ZF_HEADER_VERSION = 65;
export const ZF_HEADER_LENGTH = 66;
export const ZF_MANUFACTURER = 67;
export const ZF_IMAGE_TYPE = 68;
export const ZF_FILE_VERSION = 69;
export const ZF_SIZE = 70;
export const ZF_NO_UPGRADE_IMAGE = 71;
export const ZF_TWO_IMAGES = 72;
export const ZF_UNKNOWN_TAG = 73;
export const ZF_IMAGE_VERSION = 74;
export const ZF_HARDWARE = 75;
export const ZF_ROLLED_BACK = 76;

export const ZF_NAMES: { [code: number]: string } = {
  64: "FILE_ID", 65: "HEADER_VERSION", 66: "HEADER_LENGTH", 67: "MANUFACTURER", 68: "IMAGE_TYPE", 69: "FILE_VERSION",
  70: "FILE_SIZE", 71: "NO_UPGRADE_IMAGE", 72: "TWO_UPGRADE_IMAGES", 73: "UNKNOWN_TAG", 74: "IMAGE_VERSION", 75: "HARDWARE_VERSION",
  76: "ROLLED_BACK",
};

export interface OtaFileHeader {
  headerVersion: number;
  headerLength: number;
  fieldControl: number;
  manufacturer: number;
  imageType: number;
  fileVersion: number;
  stackVersion: number;
  headerString: string;
  totalSize: number;
  securityCredential: number;
  minHardware: number;
  maxHardware: number;
}

/** Header length the field control asks for: 56 + 1 (bit 0) + 8 (bit 1) + 4 (bit 2). */
export function headerLengthFor(fc: number): number {
  return OTA_HEADER_MIN + (fc & 1 ? 1 : 0) + (fc & 2 ? 8 : 0) + (fc & 4 ? 4 : 0);
}

/**
 * The header in b[0..n) (n ≥ 56; the optional fields need headerLength
 * bytes): a code (0 = fine so far, else a ZF_ code) and the fields. Checks
 * the identifier, header version and that the length agrees with the field
 * control (reserved bits set: refused, they would name fields we cannot skip).
 */
export function parseOtaFileHeader(b: Uint8Array, n: number): { code: number; header: OtaFileHeader | undefined } {
  if (n < OTA_HEADER_MIN || u32le(b, 0) !== OTA_FILE_ID) return { code: ZF_FILE_ID, header: undefined };
  if (u16le(b, 4) !== OTA_HEADER_VERSION) return { code: ZF_HEADER_VERSION, header: undefined };
  const len = u16le(b, 6);
  const fc = u16le(b, 8);
  if (fc & 0xfff8 || len !== headerLengthFor(fc)) return { code: ZF_HEADER_LENGTH, header: undefined };
  if (n < len) return { code: ZF_HEADER_LENGTH, header: undefined };
  let s = "";
  for (let i = 20; i < 52 && b[i]; i++) s += String.fromCharCode(b[i]);
  let p = OTA_HEADER_MIN;
  const h: OtaFileHeader = {
    headerVersion: OTA_HEADER_VERSION, headerLength: len, fieldControl: fc, manufacturer: u16le(b, 10), imageType: u16le(b, 12),
    fileVersion: u32le(b, 14), stackVersion: u16le(b, 18), headerString: s, totalSize: u32le(b, 52),
    securityCredential: -1, minHardware: -1, maxHardware: -1,
  };
  if (fc & 1) h.securityCredential = b[p++];
  if (fc & 2) p += 8;
  if (fc & 4) {
    h.minHardware = u16le(b, p);
    h.maxHardware = u16le(b, p + 2);
  }
  return { code: 0, header: h };
}

/**
 * A file version from our image's version text: "a.b.c" or "a.b.c.d", each
 * part 0-255, as the bytes a, b, c, d of the u32, most significant first
 * ("1.2.3" -> 0x01020300), so a later version is a larger number. -1 when
 * the text is not of that form (mkimage then wants --zigbee-file-version).
 */
export function fileVersionOf(version: string): number {
  const parts = version.split(".");
  if (parts.length < 3 || parts.length > 4) return -1;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const t = i < parts.length ? parts[i] : "0";
    if (t.length < 1 || t.length > 3) return -1;
    let x = 0;
    for (let j = 0; j < t.length; j++) {
      const c = t.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return -1;
      x = x * 10 + c;
    }
    if (x > 255) return -1;
    v = v * 256 + x;
  }
  return v;
}

export interface OtaFileOptions {
  manufacturer: number;
  imageType: number;
  fileVersion: number;
  /** Our image (mkimage's output): tag 0's data. */
  image: Uint8Array;
  stackVersion?: number;
  headerString?: string;
  /** Field control bits 0-2 and their fields. */
  securityCredential?: number;
  destination?: Uint8Array;
  hardware?: { min: number; max: number };
  /** Extra sub-elements after (or, with `before`, ahead of) tag 0. */
  elements?: { tag: number; data: Uint8Array; before?: boolean }[];
}

/** Wraps an image into a Zigbee OTA file (host side: mkimage and the tests). */
export function buildOtaFile(o: OtaFileOptions): Uint8Array {
  const fc = (o.securityCredential !== undefined ? 1 : 0) | (o.destination ? 2 : 0) | (o.hardware ? 4 : 0);
  const hl = headerLengthFor(fc);
  const els = (o.elements || []).filter((e) => e.before).concat([{ tag: TAG_UPGRADE_IMAGE, data: o.image, before: false }], (o.elements || []).filter((e) => !e.before));
  const total = hl + els.reduce((a, e) => a + ELEMENT_HEAD + e.data.length, 0);
  const b = new Uint8Array(total);
  put32le(b, 0, OTA_FILE_ID);
  put16le(b, 4, OTA_HEADER_VERSION);
  put16le(b, 6, hl);
  put16le(b, 8, fc);
  put16le(b, 10, o.manufacturer);
  put16le(b, 12, o.imageType);
  put32le(b, 14, o.fileVersion);
  put16le(b, 18, o.stackVersion === undefined ? 2 : o.stackVersion);
  const s = o.headerString === undefined ? "espruino-ota" : o.headerString;
  for (let i = 0; i < 32 && i < s.length; i++) b[20 + i] = s.charCodeAt(i) & 255;
  put32le(b, 52, total);
  let p = OTA_HEADER_MIN;
  if (fc & 1) b[p++] = o.securityCredential as number;
  if (fc & 2) {
    b.set((o.destination as Uint8Array).subarray(0, 8), p);
    p += 8;
  }
  if (fc & 4) {
    put16le(b, p, o.hardware!.min);
    put16le(b, p + 2, o.hardware!.max);
    p += 4;
  }
  for (const e of els) {
    put16le(b, p, e.tag);
    put32le(b, p + 2, e.data.length);
    b.set(e.data, p + ELEMENT_HEAD);
    p += ELEMENT_HEAD + e.data.length;
  }
  return b;
}

/** Where tag 0's data lies in a whole file (host side), or undefined. */
export function upgradeImageOf(file: Uint8Array): { offset: number; length: number } | undefined {
  const r = parseOtaFileHeader(file, Math.min(file.length, OTA_HEADER_MAX));
  if (!r.header) return undefined;
  let p = r.header.headerLength;
  while (p + ELEMENT_HEAD <= file.length) {
    const tag = u16le(file, p);
    const len = u32le(file, p + 2);
    if (tag === TAG_UPGRADE_IMAGE) return p + ELEMENT_HEAD + len <= file.length ? { offset: p + ELEMENT_HEAD, length: len } : undefined;
    p += ELEMENT_HEAD + len;
  }
  return undefined;
}

/**
 * What the client does with a sub-element tag: 0 stage it, 1 skip it unread
 * (ECDSA signature and certificate, suites 1 and 2; integrity code; picture;
 * manufacturer-specific 0xF000-0xFFFF), -1 refuse the file (a reserved tag:
 * content we cannot know is safe to ignore).
 */
export function tagAction(tag: number): number {
  if (tag === TAG_UPGRADE_IMAGE) return 0;
  if ((tag >= 1 && tag <= 6) || tag >= 0xf000) return 1;
  return -1;
}
