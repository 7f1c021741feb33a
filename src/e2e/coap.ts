import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../board/files.js";
import { bundle } from "../testbench/espruino-vm.js";
import { buildImage } from "../testbench/image.js";
import { TbSim } from "../peers/thingsboard/server.js";
import { Board, installOn, until } from "./interpreter.js";

/*
 * ThingsBoard over CoAP on Espruino's Linux interpreter (its dgram module),
 * against the stand-in's npm coap server in this process:
 *   install v1 (tb.js + an app polling every 2 s) -> v1 reports itself
 *   -> v2 assigned; after 5 chunks the interpreter is stopped mid-download
 *   -> started again: DOWNLOADING again, the pull resumes from the journal (not chunk 0)
 *   -> DOWNLOADED, VERIFIED, UPDATING, E.reboot -> v2 boots on trial, confirms, reports UPDATED.
 */

const TYPE = "TMPL0COAP";
const TOKEN = "E2E_COAP_TOKEN";

function image(version: string, port: number, pad: number): Uint8Array {
  const js = bundle("linux", "tb") + "\n" + [
    'print("BOOT "+JSON.stringify(OTA.boot));',
    "var tb=TB.start({server:\"127.0.0.1\",port:" + port + ",token:" + JSON.stringify(TOKEN) + ",coap:true});",
    "setInterval(function(){tb.check();},2000);",
    "OTA.confirm();",
    "//" + "x".repeat(pad),
  ].join("\n");
  return buildImage({ board: "LINUX", type: TYPE, version: version, build: "e2e", payload: new TextEncoder().encode(js) });
}

export interface CoapE2EResult {
  seconds: number;
  states: string[];
  /** The first chunk asked for after the restart. */
  resumedAt: number;
  boots: { slot: number; reason: number; version: string }[];
}

export async function runCoapE2E(o: { bin: string; log?: (line: string) => void; verbose?: boolean; keep?: boolean }): Promise<CoapE2EResult> {
  const log = o.log || (() => {});
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "eota-e2e-coap-"));
  const sim = await TbSim.start({ token: TOKEN });
  const board = new Board({ bin: o.bin, dir: dir, log: o.verbose ? log : undefined });
  const ctx = () => "fw_state: " + sim.states().join(" ") + "\nconsole:\n" + board.tail();
  let ok = false;
  try {
    installOn(o.bin, dir, loadBoard("linux"), image("1.0.0", sim.coapPort, 0));
    log("coap: v1 installed; stand-in CoAP on udp port " + sim.coapPort + " (" + dir + ")");
    board.powerOn();
    await until(() => sim.telemetry.some((v) => v.current_fw_version === "1.0.0"), 15_000, "v1 reporting over CoAP", ctx);
    const v2 = image("2.0.0", sim.coapPort, 6000);
    sim.assign({ title: TYPE, version: "2.0.0", data: v2 });
    await until(() => sim.requests.length >= 6, 60_000, "chunks 0-5 of v2", ctx);
    await board.powerOff();
    const before = sim.requests.length;
    log("coap: stopped after " + before + " chunk requests; started again");
    board.powerOn();
    await until(() => sim.states().includes("UPDATED"), 120_000, "v2 staged, rebooted into and UPDATED", ctx);
    const resumedAt = sim.requests[before].chunk;
    if (!(resumedAt > 0)) throw new Error("the pull started over at chunk " + resumedAt + "\n" + ctx());
    const boots = board.boots.filter((b) => b.boot).map((b) => ({ slot: b.boot!.slot, reason: b.boot!.reason, version: b.boot!.version }));
    log("coap: resumed at chunk " + resumedAt + "; fw_state " + sim.states().join(" "));
    ok = true;
    return { seconds: (Date.now() - t0) / 1000, states: sim.states(), resumedAt: resumedAt, boots: boots };
  } finally {
    await board.powerOff();
    await sim.close();
    if (ok && !o.keep) rmSync(dir, { recursive: true, force: true });
    else if (!ok) log("coap: kept " + dir);
  }
}
