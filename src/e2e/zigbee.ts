import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../board/files.js";
import { cli } from "./install.js";
import { realClock } from "../platform/host/clock.js";
import { bundle } from "../testbench/espruino-vm.js";
import { buildImage } from "../testbench/image.js";
import { openSerial } from "../platform/host/serial.js";
import { buildOtaFile, fileVersionOf } from "../zigbee/otafile.js";
import { Network } from "../peers/zigate/network.js";
import { ZiGateNode } from "../peers/zigate/node.js";
import { ZiGatePlugin } from "../peers/zigate/plugin.js";
import { DEVICE, memoryPair } from "../peers/zigate/run.js";
import { Board, installOn, ptyPair, until, type Boot } from "./interpreter.js";

/*
 * The Zigbee flow on Espruino's Linux interpreter: the built zigbee.js bundle
 * talks XBee API mode 2 over a pty pair to this process, which plays the
 * XBee, the radio, the ZiGate and its host plugin (src/peers/zigate):
 *   install v1.0.0 -> power on -> ZiGate loaded (0x0500), Image Notify (0x0505)
 *   -> Query Next Image -> blocks; power cut at ~12 KB -> power on -> resumed from the staged prefix
 *   -> Upgrade End SUCCESS -> 0x0504 (2 s) -> E.reboot -> v1.1.0 on trial queries, confirms
 *   -> record: slot 1 confirmed
 *   -> `espruino-ota zigate-sim --port` (the CLI's own code) serves v1.2.0 to the same board: trial, confirm.
 */

const TYPE = "ZBE2E";
const BAUD = 115200;
const MFR = 0x1234;
const ITYPE = 0x5678;

export interface ZigbeeE2EResult {
  seconds: number;
  bytesPerSecond: number;
  boots: { slot: number; reason: number; version: string }[];
  resumedAt: number;
}

function app(pty: string): string {
  return [
    'print("BOOT "+JSON.stringify(OTA.boot));',
    "OTA.zigbee({manufacturer:" + MFR + ",imageType:" + ITYPE + ",baud:" + BAUD + ",serial:{path:" + JSON.stringify(pty) + "}," +
      'onEvent:function(n,a,b){if(n!="progress")print("EV "+n+" "+a+" "+b);}});',
  ].join("\n");
}

function image(version: string, js: string): Uint8Array {
  return buildImage({ board: "LINUX", type: TYPE, version: version, build: "e2e", payload: new TextEncoder().encode(bundle("linux", "zigbee") + "\n" + js) });
}

export async function runZigbeeE2E(o: { bin: string; socat: string; log?: (line: string) => void; verbose?: boolean; keep?: boolean }): Promise<ZigbeeE2EResult> {
  const log = o.log || (() => {});
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "eota-zb-e2e-"));
  const cleanups: (() => void | Promise<void>)[] = [];
  let ok = false;
  try {
    const pty = await ptyPair(o.socat, dir);
    cleanups.push(pty.close);
    const v1 = image("1.0.0", app(pty.b));
    const v2img = image("1.1.0", app(pty.b));
    const file = buildOtaFile({ manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf("1.1.0"), image: v2img });
    log("install: boot stub, v1.0.0 with zigbee.js in slot 0 (" + dir + ")");
    const linux = loadBoard("linux");
    installOn(o.bin, dir, linux, v1);

    // The XBee's end of the board's UART, then the radio, the ZiGate and the plugin in this process.
    const uart = await openSerial(pty.a, BAUD);
    let uartOpen = true;
    cleanups.push(() => void (uartOpen && uart.close()));
    const clock = realClock;
    const [hostEnd, zigateEnd] = memoryPair(clock);
    let network: Network | undefined = undefined;
    const node = new ZiGateNode({ serial: zigateEnd, radio: (z) => network && network.toDevice(z), device: DEVICE, log: o.verbose ? log : undefined });
    network = new Network({ uart: uart, clock: clock, toServer: (z) => node.fromRadio(z), device: DEVICE, latencyMs: 2 });
    const queries: number[] = [];
    node.queried = (v) => queries.push(v);
    const plugin = new ZiGatePlugin({ link: hostEnd, clock: clock, file: file, device: DEVICE, log: o.verbose ? log : undefined });

    const board = new Board({ bin: o.bin, dir: dir, log: o.verbose ? log : undefined });
    cleanups.push(() => board.powerOff());
    const ctx = () => "console:\n" + board.tail();
    const waitBoot = async (i: number, what: string) => {
      const b = await until(() => board.boots[i] && board.boots[i].boot, 15_000, what, ctx);
      log("power-on " + (i + 1) + ": slot " + b.slot + " v" + b.version + " (reason " + b.reason + ")");
      return b;
    };
    const expectBoot = (b: NonNullable<Boot["boot"]>, slot: number, reason: number, version: string, what: string) => {
      if (b.slot !== slot || b.reason !== reason || b.version !== version)
        throw new Error(what + ": expected slot " + slot + " reason " + reason + " v" + version + ", got " + JSON.stringify(b) + "\n" + ctx());
    };

    board.powerOn();
    expectBoot(await waitBoot(0, "v1.0.0 to boot"), 0, 0, "1.0.0", "first power-on");
    const tx0 = Date.now();
    plugin.start();
    await until(() => plugin.served >= 12_000, 120_000, "12 KB of blocks", ctx);
    log("power cut at " + plugin.served + " bytes served");
    await board.powerOff();
    board.powerOn();
    expectBoot(await waitBoot(1, "v1.0.0 after the power cut"), 0, 0, "1.0.0", "after the power cut");
    const resumed = await until(() => board.lines(1).find((l) => l.startsWith("EV resume ")), 60_000, "the client to resume", ctx);
    const [, code, at] = resumed.split(" ").slice(1).map(Number);
    if (code !== 0 || !(at > 0)) throw new Error("did not resume from the staged prefix: " + resumed + "\n" + ctx());
    log("resumed at " + at + " bytes of the image (blocks by offset)");
    await until(() => plugin.state === "upgrading" || plugin.state === "failed", 300_000, "the transfer", ctx);
    if (plugin.state !== "upgrading") throw new Error("transfer failed: " + plugin.outcome + "\n" + ctx());
    const secs = (Date.now() - tx0) / 1000;
    log("Upgrade End SUCCESS; " + plugin.requests + " block requests, " + file.length + " B in " + secs.toFixed(1) + " s");
    expectBoot(await waitBoot(2, "the reboot into v1.1.0"), 1, 1, "1.1.0", "after the Upgrade End Response");
    if (!board.boots[1].rebooted) throw new Error("v1.0.0 did not end by E.reboot()");
    await until(() => board.lines(2).some((l) => l.startsWith("EV confirmed 1")), 30_000, "v1.1.0 to confirm after its first query", ctx);
    if (!queries.includes(fileVersionOf("1.1.0"))) throw new Error("v1.1.0 never queried with its file version");
    const st = await board.query<{ valid: boolean; confirmed: number; pending: number; pendingConfirmed: boolean }>("OTA.state()");
    if (!(st.valid && ((st.pending === 1 && st.pendingConfirmed) || (st.confirmed === 1 && st.pending === 255)))) throw new Error("record should have slot 1 confirmed: " + JSON.stringify(st));
    log("v1.1.0 confirmed: record " + JSON.stringify(st));

    // The CLI against the same board over the pty: `espruino-ota zigate-sim --port` serves v1.2.0.
    uart.close();
    uartOpen = false;
    const v3file = join(dir, "v3.zigbee");
    writeFileSync(v3file, buildOtaFile({ manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf("1.2.0"), image: image("1.2.0", app(pty.b)) }));
    const n = board.boots.length;
    const r = await cli(["zigate-sim", "--image", v3file, "--port", pty.a, "--baud", String(BAUD), "--seed", "1", "--upgrade", "relative", "--wait", "300"]);
    if (r.code !== 0) throw new Error("zigate-sim --port " + pty.a + " exited " + r.code + "\n" + r.out + "\n" + ctx());
    expectBoot(await waitBoot(n, "the reboot into v1.2.0"), 0, 1, "1.2.0", "after zigate-sim --port");
    await until(() => board.lines(n).some((l) => l.startsWith("EV confirmed 1")), 30_000, "v1.2.0 to confirm", ctx);
    log("zigate-sim --port " + pty.a + ": v1.2.0 staged, booted on trial, confirmed");
    await board.powerOff();
    ok = true;
    return {
      seconds: (Date.now() - t0) / 1000, bytesPerSecond: file.length / secs, resumedAt: at,
      boots: board.boots.map((b) => (b.boot ? { slot: b.boot.slot, reason: b.boot.reason, version: b.boot.version } : { slot: -1, reason: -1, version: "" })),
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (ok && !o.keep) rmSync(dir, { recursive: true, force: true });
    else log("files kept in " + dir);
  }
}
