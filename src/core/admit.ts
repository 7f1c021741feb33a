import { E_HEADER_MISMATCH, E_SAME_VERSION, E_WRONG_BOARD, E_WRONG_TYPE, OK } from "./errors.js";
import type { ImageInfo } from "./header.js";

/**
 * Whether a decoded header may be staged: built for this board and this
 * firmware type, as long as the offer said, agreeing with what the offer
 * named (empty fields name nothing), and not the running version.
 */
export function admitHeader(
  h: ImageInfo, o: { board: string; size: number; type: string; version: string }, running: { type: string; version: string },
): number {
  if (h.board !== o.board) return E_WRONG_BOARD;
  if (h.type !== running.type) return E_WRONG_TYPE;
  if (h.imageLength !== o.size) return E_HEADER_MISMATCH;
  if (o.type && o.type !== h.type) return E_HEADER_MISMATCH;
  if (o.version && o.version !== h.version) return E_HEADER_MISMATCH;
  if (h.version === running.version) return E_SAME_VERSION;
  return OK;
}
