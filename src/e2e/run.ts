import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRecord } from "../core/open.js";
import { NcpSimulator } from "../peers/ncp/simulator.js";
import { loadBoard } from "../board/files.js";
import { realClock } from "../platform/host/clock.js";
import { bundle } from "../testbench/espruino-vm.js";
import { crc32 } from "../platform/host/digest.js";
import { buildImage } from "../testbench/image.js";
import { NorFlash } from "../platform/host/norflash.js";
import { openSerial } from "../platform/host/serial.js";
import { Board, installOn, ptyPair, until, type Boot } from "./interpreter.js";
import { installOverTelnet } from "./install.js";

/*
 * The whole story on Espruino's Linux interpreter, over a pty pair to the NCP
 * simulator running in this process:
 *   install v1 -> power on -> v1 reports -> v2 offered, transferred, finished
 *   -> E.reboot (exit 1) -> v2 boots on trial, reports
 *   -> the application's Storage files rewritten until Storage compacts; three load(): same image, no trial spent
 *   -> power cycle: trial 2 -> OTA.confirm() at the REPL -> record: slot 1 confirmed
 *   -> more Storage churn, power cycle: v2 starts as the confirmed image
 *   -> bad v3 offered and staged -> 3 trial boots, each resetting itself
 *   -> boot stub rolls back: v2 again (reason 2), record: slot 1 confirmed, rolled-back flag
 *      (asked at the REPL, and read by the host from espruino.flash)
 *   -> Storage.eraseAll(), power cycle: the REPL, nothing of ours -> the installer again -> v1 boots.
 */

const TYPE = "TMPL0E2E";
const BAUD = 115200;

export interface E2EOptions {
  bin: string;
  socat: string;
  log?: (line: string) => void;
  /** Echo the interpreter's console too. */
  verbose?: boolean;
  /** Keep the temp dir (always kept when a step fails). */
  keep?: boolean;
}

export interface E2EResult {
  dir: string;
  seconds: number;
  /** v2's transfer over the pty: bytes per second from offer to finish answered. */
  bytesPerSecond: number;
  boots: { slot: number; reason: number; version: string }[];
  /** What `espruino-ota install` printed for the first install. */
  installed: string;
}

/**
 * Application for e2e images: prints what booted, runs the client on the pty; a bad one never confirms and
 * resets itself after 2 s; a patient one confirms only when told at the REPL.
 */
function app(pty: string, bad: boolean, patient = false): string {
  return [
    'print("BOOT "+JSON.stringify(OTA.boot));',
    "OTA.ncp({baud:" + BAUD + ",serial:{path:" + JSON.stringify(pty) + "}," + (bad || patient ? "autoConfirm:false," : "") +
      'onEvent:function(n,a,b){if(n!="progress")print("EV "+n+" "+a+" "+b);}});',
    bad ? "setTimeout(function(){E.reboot();},2000);" : "",
  ].join("\n");
}

function image(version: string, js: string): Uint8Array {
  const payload = new TextEncoder().encode(bundle("linux", "client") + "\n" + js);
  return buildImage({ board: "LINUX", type: TYPE, version: version, build: "e2e", payload: payload });
}

interface State {
  valid: boolean;
  seq: number;
  confirmed: number;
  pending: number;
  flags: number;
  trialsUsed: number;
  pendingConfirmed: boolean;
}

/**
 * The application's own Storage files, rewritten at the REPL until Storage
 * compacts at least once (Espruino prints "Compacting..."); then the OTA
 * files must still be there, and the record unchanged.
 */
async function churnStorage(board: Board, ctx: () => string): Promise<void> {
  const before = await board.query<State>("OTA.state()");
  const from = board.lines().length;
  board.send("var S=require('Storage');for(var i=0;i<12;i++)S.write('app'+(i%3),new Uint8Array(4000).fill(i));print('CHURN done')\n");
  await until(() => board.lines().slice(from).some((l) => l.startsWith("CHURN done")), 60_000, "the application's Storage writes", ctx);
  if (!board.lines().slice(from).some((l) => l.includes("Compacting"))) throw new Error("Storage did not compact\n" + ctx());
  const files = await board.query<string[]>("require('Storage').list()");
  for (const f of [".bootPowerOn", ".boot0", ".eota"]) if (!files.includes(f)) throw new Error(f + " gone after compaction: " + files.join(" "));
  const after = await board.query<State>("OTA.state()");
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error("the record changed: " + JSON.stringify(before) + " -> " + JSON.stringify(after));
}

export async function runE2E(o: E2EOptions): Promise<E2EResult> {
  const log = o.log || (() => {});
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "eota-e2e-"));
  const cleanups: (() => void | Promise<void>)[] = [];
  let ok = false;
  try {
    const pty = await ptyPair(o.socat, dir);
    cleanups.push(pty.close);
    const v1 = image("1.0.0", app(pty.b, false));
    const v2 = image("2.0.0", app(pty.b, false, true));
    const v3 = image("3.0.0", app(pty.b, true));

    // The host's end of the pty is open (and drops what nobody listens for) before v1 first runs.
    const link = await openSerial(pty.a, BAUD);
    cleanups.push(() => link.close());
    log("install over the telnet console with espruino-ota install: boot stub as .boot0, v1 in slot 0, a boot record (" + dir + ")");
    const linux = loadBoard("linux");
    const installed = await installOverTelnet({ bin: o.bin, dir: dir, image: v1, log: log, verbose: o.verbose });
    installed.split("\n").filter((l) => /^(install|booted):/.test(l)).forEach((l) => log("  " + l));
    const board = new Board({ bin: o.bin, dir: dir, log: o.verbose ? log : undefined });
    cleanups.push(() => board.powerOff());
    const ctx = () => "console:\n" + board.tail();
    const bootOf = (i: number) => board.boots[i] && board.boots[i].boot;
    const waitBoot = async (i: number, what: string) => {
      const b = await until(() => bootOf(i), 15_000, what, ctx);
      log("power-on " + (i + 1) + ": slot " + b.slot + " v" + b.version + " (reason " + b.reason + ")");
      return b;
    };
    const expectBoot = (b: NonNullable<Boot["boot"]>, slot: number, reason: number, version: string, what: string) => {
      if (b.slot !== slot || b.reason !== reason || b.version !== version)
        throw new Error(what + ": expected slot " + slot + " reason " + reason + " v" + version + ", got " + JSON.stringify(b) + "\n" + ctx());
    };
    const sawEvent = (from: number, ev: string) => board.lines(from).some((l) => l.startsWith("EV " + ev));
    const state = () => board.query<State>("OTA.state()");

    // 1. v1 runs and reports itself.
    const sim1 = new NcpSimulator({ link: link, clock: realClock, image: v2, type: TYPE, version: "2.0.0", build: "e2e", baud: BAUD });
    board.powerOn();
    expectBoot(await waitBoot(0, "v1 to boot"), 0, 0, "1.0.0", "first power-on");
    await until(() => sim1.reported.length > 0, 10_000, "v1's setFirmwareInfo", ctx);
    if (sim1.reported[0].version !== "1.0.0") throw new Error("v1 reported " + JSON.stringify(sim1.reported[0]));

    // 2. v2 over the pty; the client answers finish, then E.reboot() ends the process and it is started again.
    const tx0 = Date.now();
    sim1.offer();
    await until(() => sim1.state !== "offered" && sim1.state !== "sending" && sim1.state !== "finishing", 120_000, "v2's transfer", ctx);
    if (sim1.state !== "applied") throw new Error("update to v2 failed: " + sim1.outcome + "\n" + ctx());
    const txSecs = (Date.now() - tx0) / 1000;
    log("v2 transferred: " + v2.length + " B in " + txSecs.toFixed(1) + " s (" + Math.round(v2.length / txSecs) + " B/s), finish answered true");

    // 3. Rebooted into v2 on trial; it reports v2. Before it confirms (at the REPL), the application's own
    //    Storage files are rewritten until Storage compacts, and load() runs the boot files three times.
    expectBoot(await waitBoot(1, "the reboot into v2"), 1, 1, "2.0.0", "after the update");
    if (!board.boots[0].rebooted) throw new Error("v1 did not end by E.reboot()");
    await until(() => sim1.reported.length > 0 && sim1.reported[0].version === "2.0.0", 10_000, "v2's setFirmwareInfo", ctx);
    const onTrial = await state();
    if (onTrial.trialsUsed !== 1 || onTrial.pending !== 1) throw new Error("v2 should be on its first trial: " + JSON.stringify(onTrial));
    await churnStorage(board, ctx);
    log("the application's Storage files compacted around the OTA files; Storage: " + (await board.query<string[]>("require('Storage').list()")).join(" "));
    for (let k = 0; k < 3; k++) {
      const seen = board.current!.lines.length;
      board.send("load()\n");
      await until(() => board.current!.lines.slice(seen).some((l) => l.startsWith("BOOT ")), 10_000, "the boot files after load() " + (k + 1), ctx);
      expectBoot(board.current!.boot!, 1, 1, "2.0.0", "after load() " + (k + 1));
      const s = await state();
      if (s.trialsUsed !== 1 || s.seq !== onTrial.seq) throw new Error("load() " + (k + 1) + " spent a trial or wrote a record: " + JSON.stringify(s));
    }
    log("three load() calls on trial: the same image, no trial spent (record " + JSON.stringify(await state()) + ")");
    // A power cycle does spend one: trial 2 of 3.
    await board.powerOff();
    board.powerOn();
    expectBoot(await waitBoot(2, "v2 after a power cycle on trial"), 1, 1, "2.0.0", "power cycle on trial");
    if ((await state()).trialsUsed !== 2) throw new Error("a power cycle on trial should spend trial 2");
    board.send("print('EV confirmed '+(OTA.confirm()?1:0))\n");
    await until(() => sawEvent(2, "confirmed 1"), 10_000, "v2 to confirm itself", ctx);
    const s2 = await state();
    // Confirmed either way: the confirm unit of pending slot 1 programmed, or a record naming slot 1 confirmed.
    const slot1Confirmed = (s: State) => s.valid && ((s.pending === 1 && s.pendingConfirmed) || (s.confirmed === 1 && s.pending === 255));
    if (!slot1Confirmed(s2)) throw new Error("after the confirm the record should have slot 1 confirmed: " + JSON.stringify(s2));
    log("v2 reported itself and confirmed: record " + JSON.stringify(s2));
    // More of the application's Storage writes; a power cycle then starts v2 as the confirmed image.
    await churnStorage(board, ctx);
    await board.powerOff();
    board.powerOn();
    expectBoot(await waitBoot(3, "v2 after a power cycle"), 1, 0, "2.0.0", "power cycle after the confirm");
    await until(() => sim1.reported.length > 1 && sawEvent(3, "reported"), 10_000, "v2's setFirmwareInfo after the power cycle", ctx);

    // 4. A bad v3 (never confirms, resets itself after 2 s) is staged into slot 0.
    const sim2 = new NcpSimulator({ link: link, clock: realClock, image: v3, type: TYPE, version: "3.0.0", build: "e2e", baud: BAUD });
    const n = board.boots.length;
    sim2.offer();
    await until(() => sim2.state !== "offered" && sim2.state !== "sending" && sim2.state !== "finishing", 120_000, "v3's transfer", ctx);
    if (sim2.state !== "applied") throw new Error("staging v3 failed: " + sim2.outcome + "\n" + ctx());
    log("v3 (bad) staged");

    // 5. Three trial boots of v3, each ending in E.reboot(); then the stub rolls back to v2.
    for (let k = 0; k < 3; k++) expectBoot(await waitBoot(n + k, "trial boot " + (k + 1) + " of v3"), 0, 1, "3.0.0", "trial boot " + (k + 1));
    const back = await waitBoot(n + 3, "the rollback");
    expectBoot(back, 1, 2, "2.0.0", "after 3 trial boots");
    if (sim2.reported.every((r) => r.version !== "3.0.0")) throw new Error("v3 never reported itself\n" + ctx());
    await until(() => sim2.reported[0].version === "2.0.0", 10_000, "v2's setFirmwareInfo after the rollback", ctx);
    const s3 = await state();
    if (!s3.valid || s3.confirmed !== 1 || s3.pending !== 255 || !(s3.flags & 1)) throw new Error("after the rollback the record should name slot 1 confirmed, nothing pending, flag rolled back: " + JSON.stringify(s3));
    log("rolled back to v2 after 3 trial boots: record " + JSON.stringify(s3));
    // The same record read by the host from the flash file, with the interpreter off.
    await board.powerOff();
    const file = new NorFlash({ geometry: linux.geometry, data: new Uint8Array(readFileSync(join(dir, "espruino.flash"))) });
    const h = openRecord({ flash: file, digest: { crc32: crc32 }, layout: linux.layout }).read();
    if (h.seq !== s3.seq || h.confirmed !== 1 || h.pending !== 255 || !(h.flags & 1)) throw new Error("espruino.flash read on the host disagrees: " + JSON.stringify(h));

    // 6. The user erases Storage: the board comes up at the REPL with nothing of ours; a fresh install boots again.
    board.powerOn();
    const m = board.boots.length - 1;
    await until(() => board.lines(m).some((l) => l.startsWith("BOOT ")), 15_000, "v2 to boot before eraseAll", ctx);
    board.send("require('Storage').eraseAll()\n");
    await board.query<number>("require('Storage').list().length");
    await board.powerOff();
    board.powerOn();
    const bare = board.boots.length - 1;
    const none = await board.query<string>("typeof OTA");
    if (none !== "undefined" || board.lines(bare).some((l) => l.startsWith("BOOT "))) throw new Error("after eraseAll nothing of ours should run\n" + ctx());
    await board.powerOff();
    installOn(o.bin, dir, linux, v1);
    board.powerOn();
    expectBoot(await waitBoot(board.boots.length - 1, "v1 after a fresh install"), 0, 0, "1.0.0", "after eraseAll and a fresh install");
    log("eraseAll: the REPL came up with nothing of ours; the installer ran again and v1 booted");
    await board.powerOff();

    ok = true;
    return {
      dir: dir, seconds: (Date.now() - t0) / 1000, bytesPerSecond: v2.length / txSecs, installed: installed,
      boots: board.boots.map((b) => (b.boot ? { slot: b.boot.slot, reason: b.boot.reason, version: b.boot.version } : { slot: -1, reason: -1, version: "" })),
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (ok && !o.keep) rmSync(dir, { recursive: true, force: true });
    else log("files kept in " + dir);
  }
}
