import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Layout } from "../core/layout.js";
import type { Geometry } from "../platform/host/norflash.js";
import type { Flash } from "../hal/flash.js";
import { StorageEmu } from "../testbench/storage.js";
import { type OtaConfig, type OtaPlan, POWER_ON_MARK, type StorageArea, planOta } from "../core/storage-plan.js";

/** A board file (boards/*.json), numbers decoded; docs/boards.md describes each field. */
export interface Board {
  key: string;
  id: string;
  name: string;
  geometry: Geometry;
  storage: StorageArea;
  ota: OtaConfig & { stubFile: string; trialTimeout: number };
  /** The OTA files in Storage and the layout they give (core/storage-plan.ts); absent on the synthetic STM32 board. */
  plan?: OtaPlan;
  layout: Layout;
  sha256: boolean;
  memoryMapped: boolean;
  jsVars: number;
  chunkSize: number;
  /** Load images into RAM rather than run them from a flash string (the Linux build only). */
  loadToRam: boolean;
  /** The Espruino version whose source the board file was read from (`firmware.version`, "2v29"). */
  firmware: string;
}

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

const num = (v: string | number): number => (typeof v === "number" ? v : Number(v));

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
  const b = { ...j, ota: { stubFile: ".boot0", stubPages: 1, slotPages: [1, 1], maxTrials: 3, trialTimeout: 120, chunkSize: 1024 }, unsupported: "" };
  const f = b.flash;
  return {
    key: STM32_TEST, id: b.id, name: "STM32F4 sectors (synthetic)", sha256: true, memoryMapped: true, jsVars: b.jsVars, chunkSize: 1024, loadToRam: false, firmware: j.firmware.version,
    geometry: { base: num(f.base), size: num(f.size), sectors: f.sectors, writeAlign: f.writeAlign, eraseValue: f.eraseValue },
    storage: { start: num(b.storage.start), size: num(b.storage.size), page: 16384, align: 4 },
    ota: b.ota,
    layout: { board: b.id, slots: [{ address: 0x08020000, size: 0x20000 }, { address: 0x08040000, size: 0x20000 }], banks: [0x08004000, 0x08008000], maxTrials: 3 },
  };
}

/** A board the client supports; throws with the board file's reason for one it does not (Pico, Espruino WiFi). */
export function loadBoard(key: string): Board {
  if (key === STM32_TEST) return stm32Test();
  const j = readBoard(key);
  if (!j.ota) throw new Error(key + ": no OTA layout on this board: " + j.unsupported);
  const f = j.flash;
  const geometry: Geometry = {
    base: num(f.base), size: num(f.size), blockLength: f.blockLength, sectors: f.sectors,
    writeAlign: f.writeAlign, eraseValue: f.eraseValue,
  };
  const page = f.blockLength || Math.max(...f.sectors);
  const storage: StorageArea = { start: num(j.storage.start), size: num(j.storage.size), page: page, align: j.storage.align };
  const ota = {
    stubFile: j.ota.stubFile, stubPages: j.ota.stubPages, slotPages: j.ota.slotPages, maxTrials: j.ota.maxTrials,
    trialTimeout: j.ota.trialTimeout || 120, journalPages: j.ota.journalPages || 0,
  };
  const plan = planOta(j.id, storage, ota, { stubFile: ota.stubFile, powerOnLength: POWER_ON_MARK.length });
  if (typeof plan === "string") throw new Error(key + ": " + plan);
  return {
    key: key, id: j.id, name: j.name, geometry: geometry, storage: storage, ota: ota, plan: plan, layout: plan.layout,
    sha256: j.sha256, memoryMapped: j.memoryMapped, jsVars: j.jsVars, chunkSize: j.ota.chunkSize, loadToRam: !!j.loadToRam,
    firmware: j.firmware.version,
  };
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
  const j = readBoard(key);
  return j.ota ? "" : j.unsupported;
}

/** The boards the client supports (an OTA layout fits their stock firmware). */
export function boardKeys(): string[] {
  return allBoardKeys().filter((k) => !unsupported(k));
}
