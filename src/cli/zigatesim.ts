import type { Link } from "../hal/link.js";
import { faultyLink, parseFaults, type Faults } from "../peers/ncp/faults.js";
import { loadBoard } from "../board/files.js";
import { realClock } from "../platform/host/clock.js";
import { openSerial } from "../platform/host/serial.js";
import { rng } from "../testbench/rng.js";
import { parseHeader } from "../core/header.js";
import { crc32 } from "../platform/host/digest.js";
import { OTA_HEADER_MAX, parseOtaFileHeader, upgradeImageOf } from "../zigbee/otafile.js";
import { Network } from "../peers/zigate/network.js";
import { hex, ZiGateNode } from "../peers/zigate/node.js";
import { ZiGatePlugin, type PluginOptions } from "../peers/zigate/plugin.js";
import { DEVICE, memoryPair, runsConfirmed, zigbeeRig } from "../peers/zigate/run.js";
import { CliError, UsageError, type Parsed } from "./args.js";
import { boardOfImage } from "./ncpsim.js";
import { readInput } from "./image-check.js";
import { Progress } from "./progress.js";

/** `zigate-sim`: serves a Zigbee OTA file as a ZiGate would, to the in-process bundle or a board on a port. */
export async function runZigateSim(p: Parsed): Promise<number> {
  const v = p.values as {
    image?: string; port?: string; baud: number; "in-process"?: boolean; board?: string; "serial-faults"?: string; "uart-faults"?: string;
    "radio-loss"?: number; seed: number; "reset-at"?: number; "pause-at"?: string; "abort-at"?: number; upgrade: string; wait: number;
  };
  if (!v.image || (!v.port && !v["in-process"])) throw new UsageError("zigate-sim: needs --image FILE and --port PATH or --in-process; see espruino-ota zigate-sim --help");
  if (v.port && v["in-process"]) throw new UsageError("zigate-sim: --port and --in-process exclude each other; see espruino-ota zigate-sim --help");
  if (v.port && v["reset-at"] !== undefined) throw new UsageError("zigate-sim: --reset-at needs --in-process (on a port, reset the board yourself)");
  const faults = (name: string, s: string | undefined): Faults | undefined => {
    if (!s) return undefined;
    try {
      return parseFaults(s);
    } catch (e) {
      throw new UsageError("zigate-sim: --" + name + ": " + (e as Error).message);
    }
  };
  const serialFaults = faults("serial-faults", v["serial-faults"]);
  const uartFaults = faults("uart-faults", v["uart-faults"]);
  let pauseAt: PluginOptions["pauseAt"];
  if (v["pause-at"]) {
    const m = /^(\d+):(\d+(?:\.\d+)?)$/.exec(v["pause-at"]);
    if (!m) throw new UsageError("zigate-sim: --pause-at " + JSON.stringify(v["pause-at"]) + ": needs OFFSET:SECONDS");
    pauseAt = { offset: +m[1], seconds: +m[2] };
  }
  const file = readInput(v.image, "image");
  const fh = parseOtaFileHeader(file, Math.min(file.length, OTA_HEADER_MAX)).header;
  const w = upgradeImageOf(file);
  if (!fh || !w) throw new CliError(v.image + ": not a Zigbee OTA file with an upgrade image (mkimage --zigbee-manufacturer makes one)");
  const img = parseHeader(file.subarray(w.offset, w.offset + w.length), crc32).info;
  if (!img) throw new CliError(v.image + ": its upgrade image (tag 0) is not an espruino-ota image");
  const plugin: Partial<PluginOptions> = { pauseAt: pauseAt, abortAt: v["abort-at"], upgrade: v.upgrade as PluginOptions["upgrade"] };
  const fv = "0x" + hex(fh.fileVersion, 8);
  console.log(`zigate-sim: ${v.image}: manufacturer 0x${hex(fh.manufacturer, 4)}, image type 0x${hex(fh.imageType, 4)}, file version ${fv} (v${img.version}), ${file.length} bytes`);

  if (v["in-process"]) {
    const key = v.board || boardOfImage(img.board) || "linux";
    if (loadBoard(key).id !== img.board) console.log("zigate-sim: warning: the image is built for " + img.board + ", the board is " + key + " (the client must refuse it)");
    let clockNow = () => 0;
    const bar = new Progress(process.stdout, file.length, () => clockNow());
    const x = zigbeeRig({
      file: file, board: key, baud: v.baud, serialFaults: serialFaults, uartFaults: uartFaults, radioLoss: v["radio-loss"], seed: v.seed,
      plugin: plugin, log: (l) => (l.includes("block @") || l.startsWith("zigate: query") ? undefined : bar.log(l)),
      onBoot: (b) => bar.log(`board: power on -> slot ${b.slot} v${b.version} (reason ${b.reason})`),
      onEvent: (n, a, b) => {
        if (n === "progress" || n === "retry" || n === "bad-block" || n === "element" || n === "tx-fail") return;
        bar.log("board: " + n + " " + (a === undefined ? "" : a) + (b === undefined ? "" : " " + b));
      },
    });
    clockNow = () => x.clock.now();
    const c = x.clock;
    const t0 = c.now();
    x.plugin.start();
    let reset = false;
    while (!runsConfirmed(x) && x.plugin.state !== "failed" && c.now() - t0 < v.wait * 1000) {
      c.advance(50);
      if (x.plugin.state === "serving") bar.update(x.plugin.served);
      if (v["reset-at"] !== undefined && !reset && x.plugin.served >= v["reset-at"]) {
        reset = true;
        bar.log("zigate-sim: resetting the board (power cut) at " + x.plugin.served + " bytes");
        x.device.kill();
        c.setTimeout(() => x.device.powerOn(), 200);
      }
    }
    bar.end();
    const ok = runsConfirmed(x);
    const secs = ((c.now() - t0) / 1000).toFixed(1);
    if (ok) console.log(`zigate-sim: the board runs v${img.version} (file version ${fv}), confirmed; ${x.plugin.requests} block requests, ${secs} s simulated`);
    else console.log(`zigate-sim: not applied: ${x.plugin.outcome || x.plugin.state}; ${x.plugin.requests} block requests, ${secs} s simulated`);
    return ok ? 0 : 1;
  }

  // A board on a port: the plugin and the ZiGate in this process, the radio and the XBee in front of the port.
  let port: Link & { close: () => void };
  try {
    port = await openSerial(v.port as string, v.baud);
  } catch (e) {
    throw new CliError("zigate-sim: cannot open " + v.port + ": " + String((e as Error).message).split("\n")[0]);
  }
  const clock = realClock;
  const uart: Link = uartFaults ? faultyLink(port, uartFaults, clock) : port;
  const [hostEnd0, zigateEnd] = memoryPair(clock);
  const hostEnd = serialFaults ? faultyLink(hostEnd0, serialFaults, clock) : hostEnd0;
  const bar = new Progress(process.stdout, file.length, () => clock.now());
  const log = (l: string) => (l.includes("block @") ? undefined : bar.log(l));
  let network: Network | undefined = undefined;
  const node = new ZiGateNode({ serial: zigateEnd, radio: (z) => network && network.toDevice(z), device: DEVICE, log: log });
  network = new Network({ uart: uart, clock: clock, toServer: (z) => node.fromRadio(z), device: DEVICE, loss: v["radio-loss"], rand: rng(v.seed), log: log });
  let upgraded = false;
  node.queried = (q) => (upgraded = upgraded || q === fh.fileVersion);
  const pl = new ZiGatePlugin({ link: hostEnd, clock: clock, file: file, device: DEVICE, log: log, ...plugin });
  pl.start();
  const t0 = clock.now();
  while (!upgraded && pl.state !== "failed" && clock.now() - t0 < v.wait * 1000) {
    await new Promise((r) => setTimeout(r, 100));
    if (pl.state === "serving") bar.update(pl.served);
  }
  bar.end();
  // The answer to that query is still on its way through the radio and the XBee: the new image
  // confirms once it has it, so the port stays open a little longer (closed at once, the e2e's
  // board sometimes never confirmed).
  if (upgraded) await new Promise((r) => setTimeout(r, 3000));
  port.close();
  if (upgraded) console.log(`zigate-sim: the board queries with file version ${fv}: it runs v${img.version}; ${pl.requests} block requests`);
  else if (pl.requests === 0) console.log(`zigate-sim: no block request from the board on ${v.port} in ${v.wait} s (${v.baud} baud): is it running OTA.zigbee() on this port?`);
  else console.log(`zigate-sim: not applied: ${pl.outcome || pl.state}; ${pl.requests} block requests`);
  return upgraded ? 0 : 1;
}
