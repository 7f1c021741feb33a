import type { Link } from "../../hal/link.js";
import { startZigbee } from "../../zigbee/start.js";
import { BOARD } from "./board.js";
import { confirm, env, progressStore, setOta } from "./ota.js";
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

const store = progressStore("eota-zb");

setOta({
  zigbee: (opt: ZigbeeOptions) => startZigbee(env, {
    link: opt.link || serialLink(opt.baud || 9600, opt.serial || {}),
    // The XBee checksum and the frame scans: built-ins over whole arrays (zigbee/xbee.ts).
    sum: (b) => E.sum(b), text: (b) => E.toString(b),
    manufacturer: opt.manufacturer, imageType: opt.imageType, hardwareVersion: opt.hardwareVersion, maxData: opt.maxData, chunkSize: BOARD.chunkSize,
    queryEveryMs: opt.queryEvery === undefined ? undefined : opt.queryEvery * 1000, store: store,
    confirm: opt.autoConfirm === false ? undefined : confirm,
    system: espruinoSystem,
    onEvent: opt.onEvent,
  }),
});
