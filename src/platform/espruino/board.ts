import type { Layout } from "../../core/layout.js";
import type { DeviceBoard } from "../../board/schema.js";

export type { DeviceBoard };

/** This board's constants, baked in by build.mjs (board/schema.ts deviceBoard). */
declare const __BOARD__: DeviceBoard;
export const BOARD: DeviceBoard = __BOARD__;

/**
 * The board's slot layout, as an object of its own rather than the constants
 * (which extend Layout): Espruino finds a property by walking the object's
 * list, and the chunk path reads `layout.slots` at every write (with the
 * constants themselves: 5.22 M instructions per KB instead of 4.8 M).
 */
export function boardLayout(b: DeviceBoard): Layout {
  return { board: b.board, slots: b.slots, banks: b.banks, maxTrials: b.maxTrials };
}
