import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SWAP, SYNC } from "../drogue/protocol.js";
import { bundle } from "../testbench/espruino-vm.js";
import { SerialService } from "../peers/drogue/serial.js";
import { startHttp } from "../peers/drogue/net.js";
import { DrogueService, targetOf } from "../peers/drogue/service.js";
import { loadBoard } from "../board/files.js";
import { realClock } from "../platform/host/clock.js";
import { buildImage } from "../testbench/image.js";
import { openSerial } from "../platform/host/serial.js";
import { Board, installOn, ptyPair, until } from "./interpreter.js";

/*
 * Drogue IoT over serial on Espruino's Linux interpreter: the built
 * drogue.js in v1 and v2, drgdfu's 1024-byte postcard frames at 115200 over
 * a pty pair, the service simulator in this process:
 *   install v1 -> power on -> Status 1.0.0 -> Writes (one doubled, one at a
 *   wrong offset) -> the board is powered off mid-transfer and on again: its
 *   Status names the staged prefix, the Writes go on from there -> Swap
 *   (SHA-256) -> E.reboot -> v2 on trial reports 2.0.0 -> Sync -> v2
 *   confirms itself: the record says so.
 */

const TYPE = "DROGUEE2E";

function app(transport: string): string {
  return [
    'print("BOOT "+JSON.stringify(OTA.boot));',
    "DFU.start({" + transport + ',onEvent:function(n,a,b){if(n!="status"&&n!="write")print("EV "+n+" "+a+" "+b);}});',
  ].join("\n");
}

export interface DrogueE2EResult {
  /** The HTTP leg (CBOR through Espruino's own http module): v1 -> v2 -> Sync -> confirmed. */
  httpSeconds?: number;
  seconds: number;
  /** v2's bytes per second over the pty (no line rate of its own), from the first Status after the cut to the Swap. */
  bytesPerSecond: number;
  resumedAt: number;
  boots: { slot: number; reason: number; version: string }[];
}

export async function runDrogueE2E(o: { bin: string; socat: string; log?: (line: string) => void; verbose?: boolean; keep?: boolean }): Promise<DrogueE2EResult> {
  const log = o.log || (() => {});
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "eota-drogue-e2e-"));
  const cleanups: (() => void | Promise<void>)[] = [];
  let ok = false;
  try {
    const pty = await ptyPair(o.socat, dir);
    cleanups.push(pty.close);
    const js = () => new TextEncoder().encode(bundle("linux", "drogue") + "\n" + app("serial:{path:" + JSON.stringify(pty.b) + "}"));
    const v1 = buildImage({ board: "LINUX", type: TYPE, version: "1.0.0", build: "e2e", payload: js() });
    const v2 = buildImage({ board: "LINUX", type: TYPE, version: "2.0.0", build: "e2e", payload: js() });
    log("install: boot stub, v1 (drogue.js) in slot 0 (" + dir + ")");
    installOn(o.bin, dir, loadBoard("linux"), v1);

    const service = new DrogueService(targetOf(v2), { double: [2], wrongOffset: [4] });
    const link = await openSerial(pty.a, 115200);
    cleanups.push(() => link.close());
    new SerialService(link, realClock, (s) => service.answer(s));
    const board = new Board({ bin: o.bin, dir: dir, log: o.verbose ? log : undefined });
    cleanups.push(() => board.powerOff());
    const ctx = () => "console:\n" + board.tail() + "\nservice: " + service.log.slice(-3).map((e) => JSON.stringify(e.status)).join(" ");
    const bootOf = (i: number) => board.boots[i] && board.boots[i].boot;

    board.powerOn();
    const b1 = await until(() => bootOf(0), 15_000, "v1 to boot", ctx);
    log("power-on 1: slot " + b1.slot + " v" + b1.version);
    await until(() => service.writes >= 12, 60_000, "12 Writes", ctx);
    log("power cut after " + service.writes + " Writes");
    await board.powerOff();
    const before = service.log.length;
    board.powerOn();
    await until(() => bootOf(1), 15_000, "v1 after the power cut", ctx);
    const first = await until(() => service.log.slice(before).find((e) => e.status.version === "1.0.0"), 15_000, "a Status after the cut", ctx);
    const tw = Date.now();
    const resumedAt = first.status.update ? first.status.update.offset : -1;
    if (!(resumedAt > 0)) throw new Error("the Status after the cut names no staged prefix: " + JSON.stringify(first.status) + "\n" + ctx());
    log("resumed: Status names " + first.status.update!.version + " at " + resumedAt);
    await until(() => service.log.some((e) => e.answers.some((c) => c.kind === SWAP)), 120_000, "the Swap", ctx);
    const swapAt = Date.now();
    const b2 = await until(() => board.boots[2] && board.boots[2].boot, 30_000, "v2 to boot", ctx);
    if (b2.version !== "2.0.0" || b2.reason !== 1) throw new Error("expected v2 on trial, got " + JSON.stringify(b2) + "\n" + ctx());
    log("power-on 3: slot " + b2.slot + " v" + b2.version + " on trial");
    await until(() => service.log.some((e) => e.status.version === "2.0.0" && e.answers.some((c) => c.kind === SYNC)), 30_000, "Sync for 2.0.0", ctx);
    await until(() => board.lines(2).some((l) => l.startsWith("EV confirmed 1")), 15_000, "v2 to confirm itself", ctx);
    const st = await board.query<{ pending: number; pendingConfirmed: boolean; confirmed: number }>("OTA.state()");
    if (!(st.pendingConfirmed || st.pending === 255)) throw new Error("v2 not confirmed in the record: " + JSON.stringify(st));
    const lines = board.lines();
    for (const ev of ["EV refused 9", "EV stale 2", "EV resumed 2.0.0"]) if (!lines.some((l) => l.startsWith(ev))) throw new Error("missing " + ev + "\n" + ctx());
    log("v2 confirmed after its Sync; record " + JSON.stringify(st));
    ok = true;
    const r: DrogueE2EResult = {
      seconds: (Date.now() - t0) / 1000, bytesPerSecond: (v2.length - resumedAt) / ((swapAt - tw) / 1000 + 1e-9), resumedAt: resumedAt,
      boots: board.boots.map((b) => ({ slot: b.boot ? b.boot.slot : -1, reason: b.boot ? b.boot.reason : -1, version: b.boot ? b.boot.version : "" })),
    };
    log("serial passed in " + r.seconds.toFixed(1) + " s (" + r.boots.length + " power-ons; v2 at " + Math.round(r.bytesPerSecond) + " B/s over the pty, resumed at " + resumedAt + ")");
    await board.powerOff();
    r.httpSeconds = await httpLeg(o.bin, dir, log, !!o.verbose);
    log("HTTP passed in " + r.httpSeconds.toFixed(1) + " s");
    return r;
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (ok && !o.keep) rmSync(dir, { recursive: true, force: true });
    else log("kept " + dir);
  }
}

/**
 * The same update over HTTP in a fresh directory: Espruino's `http` module
 * POSTs the CBOR Status to the service simulator on 127.0.0.1 (a doubled
 * Write rides the next reply); v2 reports over HTTP, gets Sync, confirms.
 */
async function httpLeg(bin: string, parent: string, log: (l: string) => void, verbose: boolean): Promise<number> {
  const t0 = Date.now();
  const dir = mkdtempSync(join(parent, "http-"));
  let service: DrogueService | undefined;
  const h = await startHttp((s) => (service as DrogueService).answer(s), 0, "127.0.0.1");
  const board = new Board({ bin: bin, dir: dir, log: verbose ? log : undefined });
  try {
    const js = () => new TextEncoder().encode(bundle("linux", "drogue") + "\n" + app("http:{server:\"127.0.0.1\",port:" + h.port + "}"));
    const v1 = buildImage({ board: "LINUX", type: TYPE, version: "1.0.0", build: "e2e", payload: js() });
    const v2 = buildImage({ board: "LINUX", type: TYPE, version: "2.0.0", build: "e2e", payload: js() });
    installOn(bin, dir, loadBoard("linux"), v1);
    service = new DrogueService(targetOf(v2), { double: [3] });
    const sv = service;
    const ctx = () => "console:\n" + board.tail() + "\nservice: " + sv.log.slice(-3).map((e) => JSON.stringify(e.status)).join(" ");
    board.powerOn();
    await until(() => sv.log.some((e) => e.answers.some((c) => c.kind === SWAP)), 120_000, "the Swap over HTTP", ctx);
    const b2 = await until(() => board.boots[1] && board.boots[1].boot, 30_000, "v2 to boot", ctx);
    if (b2.version !== "2.0.0" || b2.reason !== 1) throw new Error("expected v2 on trial, got " + JSON.stringify(b2) + "\n" + ctx());
    await until(() => board.lines(1).some((l) => l.startsWith("EV confirmed 1")), 30_000, "v2 to confirm itself after its Sync", ctx);
    if (!board.lines().some((l) => l.startsWith("EV duplicate"))) throw new Error("the doubled Write was not seen\n" + ctx());
    return (Date.now() - t0) / 1000;
  } finally {
    await board.powerOff();
    await h.close();
  }
}
