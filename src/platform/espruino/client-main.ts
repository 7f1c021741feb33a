import { setFrameText } from "../../ncp/frame.js";
import { startNcp } from "../../ncp/start.js";
import { BOARD } from "./board.js";
import { confirm, env, setOta } from "./ota.js";
import { serialLink } from "./link.js";
import { espruinoSystem } from "./system.js";
import { loopCrc8 } from "./crc8.js";
import type { Link } from "../../hal/link.js";

/*
 * The Blynk.NCP client (client.js), on what ota.ts gives every entry. It once
 * kept its own copy: with ota.ts the chunk path measured 5.04 M instructions
 * per KB instead of 4.82 M, but the bench's image was then built from the
 * client bundle itself, so the chunks' CRC-32s and escapes moved with any
 * change; with a fixed image the two are the same (bench/common.ts bigImage).
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

const crc8 = loopCrc8();
// The frame decoder's scans over a String: Espruino's typed-array indexOf is far slower (frame.ts).
setFrameText((b) => E.toString(b));

setOta({
  ncp: (opt: NcpOptions) => {
    const baud = opt.baud || 38400;
    const options = opt.serial || {};
    const link = opt.link || serialLink(baud, options);
    return startNcp(env, {
      link: link, crc8: crc8,
      chunkSize: opt.chunkSize || BOARD.chunkSize,
      confirm: opt.autoConfirm === false ? undefined : confirm,
      system: espruinoSystem,
      baud: opt.fastBaud ? { initial: baud, fast: opt.fastBaud, setBaud: (b: number) => link.setBaud(b) } : undefined,
      onEvent: opt.onEvent,
    });
  },
});
