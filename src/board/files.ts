import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Flash } from "../hal/flash.js";
import { StorageEmu } from "../testbench/storage.js";
import { type Board, TRIAL_TIMEOUT, boardGeometry, parseBoard, unsupportedReason } from "./schema.js";

export type { Board } from "./schema.js";

function findBoardsDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readdirSync(join(d, "boards"));
      return join(d, "boards");
    } catch {
      d = dirname(d);
    }
  }
  throw new Error("boards/ not found");
}

export const BOARDS_DIR = findBoardsDir();

const readBoard = (key: string) => JSON.parse(readFileSync(join(BOARDS_DIR, key + ".json"), "utf8"));

/**
 * Not a board file: the Pico's STM32F4 sectors (16/16/16/16/64/128/128/128 KB)
 * with banks in sectors 1-2 and slots in sectors 5-6, for tests and the sweep
 * only, so erase logic keeps meeting non-uniform sectors. No stock firmware
 * leaves these sectors free (boards/pico.json says why).
 */
export const STM32_TEST = "stm32-test";

function stm32Test(): Board {
  const j = readBoard("pico");
  const geometry = boardGeometry("pico", j);
  return {
    key: STM32_TEST, id: j.id, name: "STM32F4 sectors (synthetic)", sha256: true, memoryMapped: true, jsVars: j.jsVars, chunkSize: 1024, loadToRam: false, firmware: j.firmware.version,
    geometry: geometry,
    storage: { start: Number(j.storage.start), size: Number(j.storage.size), page: 16384, align: 4 },
    ota: { stubFile: ".boot0", stubPages: 1, slotPages: [1, 1], maxTrials: 3, trialTimeout: TRIAL_TIMEOUT },
    layout: { board: j.id, slots: [{ address: 0x08020000, size: 0x20000 }, { address: 0x08040000, size: 0x20000 }], banks: [0x08004000, 0x08008000], maxTrials: 3 },
  };
}

/** A board the client supports; throws with the board file's reason for one it does not (Pico, Espruino WiFi), or names a bad field. */
export function loadBoard(key: string): Board {
  return key === STM32_TEST ? stm32Test() : parseBoard(key, readBoard(key));
}

/**
 * Espruino's Storage on the emulated flash of a board (storage.ts), or
 * undefined where the flash does not erase to 0xFF as Storage assumes. Its
 * size is clamped to the flash the emulator models (Bangle.js 2: 1 MB of 8).
 */
export function boardStorage(board: Board, flash: Flash): StorageEmu | undefined {
  const g = board.geometry;
  const st = board.storage;
  if (!board.plan || g.eraseValue !== 0xff || (st.align !== 4 && st.align !== 8)) return undefined;
  return new StorageEmu({ flash: flash, start: st.start, size: Math.min(st.size, g.base + g.size - st.start), align: st.align });
}

/** Every board file, supported or not. */
export function allBoardKeys(): string[] {
  return readdirSync(BOARDS_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

/** Why a board has no OTA layout, or "" when it has one. */
export function unsupported(key: string): string {
  return unsupportedReason(readBoard(key));
}

/** The boards the client supports (an OTA layout fits their stock firmware). */
export function boardKeys(): string[] {
  return allBoardKeys().filter((k) => !unsupported(k));
}
