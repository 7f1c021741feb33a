import { confirmRunning } from "../../boot/confirm.js";
import { BootRecord } from "../../core/record.js";
import { Journal } from "../../core/journal.js";
import type { Link } from "../../hal/link.js";
import type { ZStore } from "../../zigbee/client.js";
import { startZigbee } from "../../zigbee/start.js";
import { BOARD, boardLayout } from "./board.js";
import { espruinoDigest } from "./digest.js";
import { espruinoFlash } from "./flash.js";
import { serialLink } from "./link.js";
import { espruinoSystem } from "./system.js";

/*
 * The client for boards with a Zigbee radio (instead of client.js): `OTA.boot`,
 * `OTA.confirm()`, `OTA.state()` as there, and
 *   OTA.zigbee({manufacturer, imageType, hardwareVersion, baud, serial: {rx, tx} | {path}, link,
 *               maxData, queryEvery (s), autoConfirm, onEvent})
 * runs the Zigbee OTA Upgrade client over a Digi XBee 3 in API mode 2 on
 * Serial1 (9600 baud unless `baud`), or over any `link`. Download checkpoints
 * live in the journal pages inside .eota (or, without them, the Storage file "eota-zb").
 */
interface ZigbeeOptions {
  manufacturer: number;
  imageType: number;
  hardwareVersion?: number;
  link?: Link;
  baud?: number;
  serial?: object;
  maxData?: number;
  queryEvery?: number;
  autoConfirm?: boolean;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

const flash = espruinoFlash(BOARD);
const digest = espruinoDigest(BOARD, flash);
const layout = boardLayout(BOARD);
const boot = (global.OTA_BOOT || { slot: -1, reason: 4, type: "", version: "", build: "" }) as {
  slot: number; reason: number; type: string; version: string;
};
const confirm = () => confirmRunning({ flash: flash, digest: digest, layout: layout, running: boot.slot });
const FILE = "eota-zb";
const journal = BOARD.journal.length ? new Journal({ flash: flash, crc32: digest.crc32, pages: BOARD.journal }) : undefined;
const store: ZStore = journal ? {
  load: () => {
    const b = journal.load();
    return b ? E.toString(b) : undefined;
  },
  save: (text) => journal.save(text === undefined ? undefined : E.toUint8Array(text)),
} : {
  load: () => require("Storage").read(FILE),
  save: (text) => {
    if (text === undefined) require("Storage").erase(FILE);
    else require("Storage").write(FILE, text);
  },
};

global.OTA = {
  board: BOARD.id,
  boot: boot,
  confirm: confirm,
  state: () => new BootRecord({ flash: flash, crc32: digest.crc32, banks: layout.banks }).read(),
  zigbee: (opt: ZigbeeOptions) => startZigbee({
    link: opt.link || serialLink(opt.baud || 9600, opt.serial || {}),
    // The XBee checksum and the frame scans: built-ins over whole arrays (zigbee/xbee.ts).
    sum: (b) => E.sum(b), text: (b) => E.toString(b),
    flash: flash, digest: digest, layout: layout, boot: boot,
    clock: { now: () => getTime() * 1000, setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h) },
    manufacturer: opt.manufacturer, imageType: opt.imageType, hardwareVersion: opt.hardwareVersion, maxData: opt.maxData, chunkSize: BOARD.chunkSize,
    queryEveryMs: opt.queryEvery === undefined ? undefined : opt.queryEvery * 1000, store: store,
    confirm: opt.autoConfirm === false ? undefined : confirm,
    system: espruinoSystem,
    onEvent: opt.onEvent,
  }),
};
