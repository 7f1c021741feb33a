import type { Layout } from "../../core/layout.js";
import type { DeviceBoard } from "../../board/schema.js";

export type { DeviceBoard };

/** This board's constants, baked in by build.mjs (board/schema.ts deviceBoard). */
declare const __BOARD__: DeviceBoard;
export const BOARD: DeviceBoard = __BOARD__;

/** The board's slot layout: the constants themselves (DeviceBoard extends Layout). */
export function boardLayout(b: DeviceBoard): Layout {
  return b;
}
