import { confirmRunning } from "../../boot/confirm.js";
import { BootRecord } from "../../core/record.js";
import { BOARD, boardLayout } from "./board.js";
import { espruinoDigest } from "./digest.js";
import { espruinoFlash } from "./flash.js";

/*
 * The client as the application sees it: `OTA.confirm()` once healthy,
 * `OTA.state()` for the boot record. Transports attach their own entry.
 */
const flash = espruinoFlash(BOARD);
const digest = espruinoDigest(BOARD, flash);
const layout = boardLayout(BOARD);
const boot = (global.OTA_BOOT || { slot: -1 }) as { slot: number; type: string; version: string };

global.OTA = {
  board: BOARD.id,
  boot: boot,
  confirm: () => confirmRunning({ flash: flash, digest: digest, layout: layout, running: boot.slot }),
  state: () => new BootRecord({ flash: flash, crc32: digest.crc32, banks: layout.banks }).read(),
};
