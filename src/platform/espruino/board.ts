import type { Layout } from "../../core/layout.js";

/** What build.mjs bakes into each board's device bundles (from boards/<key>.json). */
export interface DeviceBoard {
  id: string;
  base: number;
  size: number;
  blockLength: number;
  writeAlign: number;
  eraseValue: number;
  slots: { address: number; size: number }[];
  banks: number[];
  maxTrials: number;
  sha256: boolean;
  memoryMapped: boolean;
  chunkSize: number;
  /** Seconds an image on trial may run without confirming before the stub resets the board. */
  trialTimeout: number;
  /** JsVars on the stock firmware (0 = grows as needed). */
  jsVars: number;
  /** Address of the `.eota` Storage file's header, and its data length: the stub checks it is there. */
  otaHeader: number;
  otaLength: number;
  /** Run images from a RAM copy (the Linux build, where a flash string re-reads a file at every call). */
  loadToRam: boolean;
  /** Two journal pages inside .eota for a transport's progress (core/journal.ts), or none. */
  journal: number[];
}

declare const __BOARD__: DeviceBoard;
export const BOARD: DeviceBoard = __BOARD__;

export function boardLayout(b: DeviceBoard): Layout {
  return { board: b.id, slots: b.slots, banks: b.banks, maxTrials: b.maxTrials };
}
