import { HEADER_SIZE, encodeHeader } from "../core/header.js";
import { crc32, sha256 } from "../platform/host/digest.js";

export interface ImageSpec {
  board: string;
  type: string;
  version: string;
  build: string;
  /** The application's JavaScript (which contains this client). */
  payload: Uint8Array;
  /** Blynk library version for the info tag. */
  blynk?: string;
}

const enc = new TextEncoder();

/**
 * Blynk.Cloud finds type and version by scanning an uploaded file for
 * "blnkinf\0" followed by NUL-terminated key/value pairs and a final NUL.
 */
export function blynkTag(s: { type: string; version: string; build: string; blynk?: string }): Uint8Array {
  const parts = ["blnkinf", "mcu", s.version, "fw-type", s.type, "build", s.build, "blynk", s.blynk || "1.0.0"];
  return enc.encode(parts.join("\0") + "\0\0");
}

/** header (128 bytes) + payload + Blynk info tag as trailer. */
export function buildImage(s: ImageSpec): Uint8Array {
  const tag = blynkTag(s);
  const total = HEADER_SIZE + s.payload.length + tag.length;
  const out = new Uint8Array(total);
  out.set(encodeHeader({
    payloadLength: s.payload.length, imageLength: total, sha256: sha256(s.payload),
    board: s.board, type: s.type, version: s.version, build: s.build,
  }, crc32), 0);
  out.set(s.payload, HEADER_SIZE);
  out.set(tag, HEADER_SIZE + s.payload.length);
  return out;
}

/** Finds the Blynk info tag in a file and returns its pairs, as Blynk.Cloud would. */
export function readBlynkTag(file: Uint8Array): Record<string, string> | undefined {
  const text = new TextDecoder("latin1").decode(file);
  const at = text.indexOf("blnkinf\0");
  if (at < 0) return undefined;
  const fields = text.slice(at + 8).split("\0");
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length && fields[i] !== ""; i += 2) out[fields[i]] = fields[i + 1];
  return out;
}
