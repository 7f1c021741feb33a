import { existsSync, readFileSync, statSync } from "node:fs";
import { HEADER_SIZE, parseHeader, type ImageInfo } from "../core/header.js";
import { E_FORMAT, E_HEADER_CRC, E_MAGIC, errorName } from "../core/errors.js";
import type { Board } from "../board/files.js";
import { crc32, sha256 } from "../platform/host/digest.js";
import { blynkTag } from "../testbench/image.js";
import { CliError } from "./args.js";

export interface ImageCheck {
  /** "" when the whole file checks out, else what is wrong (one line). */
  problem: string;
  info?: ImageInfo;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/**
 * The whole file, as the client and the stub would judge it: length, header
 * (magic, CRC, format), the file's length against the header's, the payload's
 * SHA-256 against the header's, and the Blynk info tag after the payload.
 */
export function checkImage(b: Uint8Array): ImageCheck {
  if (b.length === 0) return { problem: "empty file" };
  const r = parseHeader(b, crc32);
  if (!r.info) {
    if (r.code === E_MAGIC && b.length < HEADER_SIZE) return { problem: "not an image: " + b.length + " bytes, shorter than the " + HEADER_SIZE + "-byte header" };
    if (r.code === E_MAGIC) return { problem: "not an image: no EOTA magic at the start (MAGIC)" };
    if (r.code === E_HEADER_CRC) return { problem: "header CRC-32 wrong: the header is damaged (HEADER_CRC)" };
    if (r.code === E_FORMAT) return { problem: "header format version, header length or lengths impossible (FORMAT)" };
    return { problem: "header refused (" + errorName(r.code) + ")" };
  }
  const h = r.info;
  if (b.length < h.imageLength) return { info: h, problem: "truncated: " + b.length + " bytes, the header says " + h.imageLength + " (" + (h.imageLength - b.length) + " missing)" };
  if (b.length > h.imageLength) return { info: h, problem: b.length + " bytes, the header says " + h.imageLength + " (" + (b.length - h.imageLength) + " extra bytes after the image)" };
  const payload = b.subarray(HEADER_SIZE, HEADER_SIZE + h.payloadLength);
  const d = sha256(payload);
  if (hex(d) !== hex(h.sha256)) return { info: h, problem: "payload SHA-256 differs from the header's: the payload is damaged (PAYLOAD_DIGEST)" };
  const tag = blynkTag({ type: h.type, version: h.version, build: h.build });
  const trailer = b.subarray(HEADER_SIZE + h.payloadLength);
  // The Blynk library version inside the tag is free; the rest must match the header.
  const want = hex(tag.subarray(0, tag.length - 2 - "1.0.0".length));
  if (!hex(trailer).startsWith(want) || trailer[trailer.length - 1] !== 0 || trailer[trailer.length - 2] !== 0)
    return { info: h, problem: "Blynk info tag after the payload missing or disagrees with the header (type, version, build)" };
  return { info: h, problem: "" };
}

/** Reads a file for a command, one line when it cannot (no stack trace). */
export function readInput(file: string | undefined, what: string): Uint8Array {
  if (!file) throw new CliError("no " + what + " given", 2);
  if (!existsSync(file)) throw new CliError(file + ": no such file");
  if (statSync(file).isDirectory()) throw new CliError(file + ": is a directory, not " + what);
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new CliError(file + ": cannot read: " + ((e as NodeJS.ErrnoException).code || (e as Error).message));
  }
}

/** Smaller slot of a board: what any image for it must fit. */
export function slotRoom(board: Board): number {
  return Math.min(board.layout.slots[0].size, board.layout.slots[1].size);
}

/** An image file that would work on `board`: whole, built for it, and fitting its slots; else a CliError naming the problem. */
export function requireImageFor(file: string, board: Board): ImageInfo {
  const b = readInput(file, "image");
  const c = checkImage(b);
  if (c.problem) throw new CliError(file + ": " + c.problem + (c.info ? "" : " (mkimage makes one)"));
  const h = c.info!;
  if (h.board !== board.id) throw new CliError(file + ": built for " + h.board + ", not " + board.id + " (" + board.key + "): the client would refuse it (WRONG_BOARD)");
  const room = slotRoom(board);
  if (h.imageLength > room) throw new CliError(file + ": " + h.imageLength + " bytes, larger than " + board.key + "'s " + kb(room) + " slot (TOO_LARGE)");
  return h;
}

export function kb(n: number): string {
  return n % 1024 === 0 ? n / 1024 + " KB" : n + " B";
}
