import { setFrameText } from "../../ncp/frame.js";
import { startNcp } from "../../ncp/start.js";
import { BOARD } from "./board.js";
import { boot, clock, confirm, digest, flash, layout, setOta } from "./ota.js";
import { serialLink } from "./link.js";
import { espruinoSystem } from "./system.js";
import { loopCrc8 } from "./crc8.js";
import type { Link } from "../../hal/link.js";

/*
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

const crc8 = loopCrc8();
// The frame decoder's scans over a String: Espruino's typed-array indexOf is far slower (frame.ts).
setFrameText((b) => E.toString(b));

setOta({
  ncp: (opt: NcpOptions) => {
    const baud = opt.baud || 38400;
    const options = opt.serial || {};
    const link = opt.link || serialLink(baud, options);
    return startNcp({
      link: link, flash: flash, digest: digest, layout: layout, crc8: crc8, boot: boot,
      clock: clock,
      chunkSize: opt.chunkSize || BOARD.chunkSize,
      confirm: opt.autoConfirm === false ? undefined : confirm,
      system: espruinoSystem,
      baud: opt.fastBaud ? { initial: baud, fast: opt.fastBaud, setBaud: (b: number) => link.setBaud(b) } : undefined,
      onEvent: opt.onEvent,
    });
  },
});
