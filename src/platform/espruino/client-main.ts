import { confirmRunning } from "../../boot/confirm.js";
import { openRecord } from "../../core/open.js";
import { setFrameText } from "../../ncp/frame.js";
import { startNcp } from "../../ncp/start.js";
import { BOARD, boardLayout } from "./board.js";
import { espruinoDigest } from "./digest.js";
import { espruinoFlash } from "./flash.js";
import { serialLink } from "./link.js";
import { espruinoSystem } from "./system.js";
import { loopCrc8 } from "./crc8.js";
import type { Link } from "../../hal/link.js";

/*
 * The Blynk.NCP client keeps its own few lines of what ota.ts gives the other
 * entries: built with ota.ts its chunk path measured 5.04 M x86 instructions
 * per KB on the Linux build instead of 4.82 M (bench/instr.ts; the cause was
 * not found), and this is the path that bounds an update's speed.
 *
 * The client as the application sees it, as `global.OTA`:
 *   OTA.boot      what the boot stub started ({slot, reason, type, version, build})
 *   OTA.confirm() mark the running image healthy (ends its trial)
 *   OTA.state()   the boot record
 *   OTA.ncp(opt)  run the Blynk.NCP client on Serial1: {baud, fastBaud, serial: {rx, tx} | {path}, onEvent}
 *                 or on any `link` ({write(bytes), onData(handler), setBaud(baud)}: another UART, a test rig)
 */
interface NcpOptions {
  link?: Link;
  baud?: number;
  fastBaud?: number;
  serial?: object;
  chunkSize?: number;
  autoConfirm?: boolean;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

const flash = espruinoFlash(BOARD);
const digest = espruinoDigest(BOARD, flash);
const layout = boardLayout(BOARD);
const boot = (global.OTA_BOOT || { slot: -1, reason: 4, type: "", version: "", build: "" }) as {
  slot: number; reason: number; type: string; version: string; build: string;
};
const crc8 = loopCrc8();
// The frame decoder's scans over a String: Espruino's typed-array indexOf is far slower (frame.ts).
setFrameText((b) => E.toString(b));
// What confirm() and state() read: one object, not one per call site.
const home = { flash: flash, digest: digest, layout: layout, running: boot.slot };
const confirm = () => confirmRunning(home);

global.OTA = {
  board: BOARD.id,
  boot: boot,
  confirm: confirm,
  state: () => openRecord(home).read(),
  ncp: (opt: NcpOptions) => {
    const baud = opt.baud || 38400;
    const options = opt.serial || {};
    const link = opt.link || serialLink(baud, options);
    return startNcp({
      link: link, flash: flash, digest: digest, layout: layout, crc8: crc8, boot: boot,
      clock: { now: () => getTime() * 1000, setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h) },
      chunkSize: opt.chunkSize || BOARD.chunkSize,
      confirm: opt.autoConfirm === false ? undefined : confirm,
      system: espruinoSystem,
      baud: opt.fastBaud ? { initial: baud, fast: opt.fastBaud, setBaud: (b: number) => link.setBaud(b) } : undefined,
      onEvent: opt.onEvent,
    });
  },
};
