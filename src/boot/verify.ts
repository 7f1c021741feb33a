import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import { equalBytes } from "../core/bytes.js";
import { E_PAYLOAD_DIGEST, E_TOO_LARGE, E_WRONG_BOARD, E_NO_DIGEST, OK } from "../core/errors.js";
import { HEADER_SIZE, type ImageInfo, parseHeader } from "../core/header.js";
import type { Slot } from "../core/layout.js";

export interface Verified {
  code: number;
  info?: ImageInfo;
}

/**
 * Full check of the image in a slot: header, board, bounds and payload
 * SHA-256; or, where `payloadCrc` is given (a board without a built-in
 * SHA-256, and a record that holds the CRC-32 of this payload, written once
 * its SHA-256 checked out at finish), a matching payload CRC-32 instead (a mismatch still gets the SHA-256).
 */
export function verifySlot(flash: Flash, digest: Digest, slot: Slot, board: string, payloadCrc?: number): Verified {
  const r = parseHeader(flash.read(HEADER_SIZE, slot.address), digest.crc32);
  if (!r.info) return r;
  const h = r.info;
  if (h.board !== board) return { code: E_WRONG_BOARD };
  if (h.imageLength > slot.size) return { code: E_TOO_LARGE };
  // The fast path; on a mismatch the SHA-256 decides, so a wrong CRC never makes a good image unbootable.
  if (payloadCrc !== undefined && digest.crc32Flash(slot.address + HEADER_SIZE, h.payloadLength) === payloadCrc) return { code: OK, info: h };
  const sha = digest.sha256Flash(slot.address + HEADER_SIZE, h.payloadLength);
  if (!sha) return { code: E_NO_DIGEST };
  if (!equalBytes(sha, h.sha256)) return { code: E_PAYLOAD_DIGEST };
  return { code: OK, info: h };
}
