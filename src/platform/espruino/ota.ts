import { confirmRunning } from "../../boot/confirm.js";
import { Journal } from "../../core/journal.js";
import { type Booted, openRecord, type OtaEnv } from "../../core/open.js";
import type { BootRecord } from "../../core/record.js";
import type { Clock } from "../../hal/clock.js";
import type { Store } from "../../transport/store.js";
import { BOARD, boardLayout } from "./board.js";
import { espruinoDigest } from "./digest.js";
import { espruinoFlash } from "./flash.js";

/*
 * What every device entry (client.js, tb.js, zigbee.js, drogue.js) shares:
 * the HAL over this board, the image the boot stub started, and the common
 * part of `global.OTA` (board, boot, confirm(), state()); each entry adds its
 * transport's method. ble.js takes the stub's own flash and digest instead
 * (build.mjs stubShared) and keeps its own copy of these few lines.
 */
export const flash = espruinoFlash(BOARD);
export const digest = espruinoDigest(BOARD, flash);
export const layout = boardLayout(BOARD);

/** What the boot stub started (global.OTA_BOOT); reason 4 (nothing) when no stub ran. */
export const boot = (global.OTA_BOOT || { slot: -1, reason: 4, type: "", version: "", build: "" }) as Booted;

export const clock: Clock = {
  now: () => getTime() * 1000,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h),
};

/** What each transport's start takes from this board (core/open.ts). */
export const env: OtaEnv & { boot: Booted; running: number } = { flash: flash, digest: digest, layout: layout, clock: clock, boot: boot, running: boot.slot };

/** Marks the running image healthy (ends its trial). */
export const confirm = (): boolean => confirmRunning(env);

export const record = (): BootRecord => openRecord(env);

/** Makes `own` (the entry's own members) `global.OTA`, with the common part added; returns it. */
export function setOta(own: { [k: string]: unknown }): { [k: string]: unknown } {
  own.board = BOARD.id;
  own.boot = boot;
  own.confirm = confirm;
  own.state = () => record().read();
  return (global.OTA = own);
}

/**
 * A transport's download progress as one text record: in the journal pages
 * inside .eota, so that no Storage file is created or rewritten during an
 * update (a cut in that, or the compaction it may start, can make Espruino
 * erase all of Storage: docs/boards.md); a board without journal pages keeps
 * the Storage file `file`, with that risk.
 */
export function progressStore(file: string): Store {
  if (!BOARD.journal.length) {
    return {
      load: () => require("Storage").read(file),
      save: (text) => {
        if (text === undefined) require("Storage").erase(file);
        else require("Storage").write(file, text);
      },
    };
  }
  const journal = new Journal({ flash: flash, crc32: digest.crc32, pages: BOARD.journal });
  return {
    load: () => {
      const b = journal.load();
      return b ? E.toString(b) : undefined;
    },
    save: (text) => journal.save(text === undefined ? undefined : E.toUint8Array(text)),
  };
}
