import * as assert from "uvu/assert";
import { BOOT_TRIAL } from "../../src/boot/decide.js";
import { type TbBoard, type TbBoardOptions, powerOnTbBoard } from "../../src/testbench/tb-board.js";
import { type DatagramFate, ramStore } from "../../src/testbench/espruino-net.js";
import { type TbPackage, TbSim } from "../../src/peers/thingsboard/server.js";
import { TYPE, factory, image, rig, type Rig } from "./rig.js";

export const TOKEN = "A1_TEST_TOKEN";

/** A ThingsBoard stand-in on loopback ports the OS picks, and an emulated board (v1.0.0 installed) that talks to it. */
export interface TbRig {
  r: Rig;
  sim: TbSim;
  store: ReturnType<typeof ramStore>;
  board: TbBoard;
  /** The client's console lines, across power-ons. */
  logs: string[];
  /** Resolves when the client asks for a reset. */
  rebootAsked: Promise<void>;
  /** Power-cycles the board (the old one falls silent first). */
  powerCycle(): TbBoard;
  pkg(version: string, extra?: Partial<TbPackage>, size?: number): TbPackage;
  close(): Promise<void>;
}

export async function tbRig(o: {
  transport: "mqtt" | "http" | "coap"; key?: string; algorithms?: string[]; chunkSize?: number; checkpointEvery?: number;
  fate?: DatagramFate; random?: () => number;
}): Promise<TbRig> {
  const r = rig(o.key || "linux");
  factory(r, "1.0.0");
  const sim = await TbSim.start({ token: TOKEN });
  const store = ramStore({ powered: () => !r.flash.dead });
  let ask: () => void = () => {};
  const x: TbRig = {
    r: r, sim: sim, store: store, logs: [], board: undefined as unknown as TbBoard, rebootAsked: Promise.resolve(),
    powerCycle: () => {
      if (x.board) x.board.stop();
      r.flash.powerOn();
      x.rebootAsked = new Promise<void>((resolve) => (ask = resolve));
      const opts: TbBoardOptions = {
        board: r.board, flash: r.flash, store: store, clock: r.clock, transport: o.transport, host: "127.0.0.1",
        port: o.transport === "mqtt" ? sim.mqttPort : o.transport === "http" ? sim.httpPort : sim.coapPort, token: TOKEN, algorithms: o.algorithms,
        fate: o.fate, random: o.random,
        chunkSize: o.chunkSize, checkpointEvery: o.checkpointEvery, onReboot: () => ask(), log: (line) => x.logs.push(line),
      };
      x.board = powerOnTbBoard(opts);
      return x.board;
    },
    pkg: (version, extra, size) => Object.assign({ title: TYPE, version: version, data: image(r.board, version, size || 5000) }, extra || {}),
    close: async () => {
      if (x.board) x.board.stop();
      await sim.close();
    },
  };
  x.powerCycle();
  return x;
}

/** Lets pending I/O callbacks run (no wall-clock wait). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Waits, by yielding to I/O, until `pred` holds; gives up after 30 s of wall
 * time. A count of yields was the bound before, and on a fast, idle machine
 * it ran out before a test whose emulated clock is driven by a real interval
 * (thingsboard-coap-bundle) had reached its 1 s reboot delay.
 */
export async function until(pred: () => boolean, what = "condition"): Promise<void> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (pred()) return;
    await settle();
  }
  if (pred()) return;
  throw new Error("never happened: " + what);
}

/**
 * A polled board (HTTP, CoAP) from v1.0.0 to UPDATED: a 6000-byte v2.0.0
 * assigned, pulled in 1 KB chunks `via` the transport, states reported in
 * order, the reboot into v2 on trial, its confirm, UPDATED.
 */
export async function pollToUpdated(x: TbRig, via: string): Promise<void> {
  await x.sim.waitTelemetry((v) => v.current_fw_version === "1.0.0");
  const pkg = x.pkg("2.0.0", {}, 6000);
  x.sim.assign(pkg);
  x.board.check();
  await x.rebootAsked;
  await x.sim.waitState("UPDATING");
  assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING"]);
  const n = Math.ceil(pkg.data.length / 1024);
  assert.equal(x.sim.requests.map((q) => [q.via, q.chunk, q.size]), Array.from({ length: n }, (_, i) => [via, i, 1024]));
  const b = x.powerCycle();
  assert.equal([b.boot.reason, b.boot.info!.version], [BOOT_TRIAL, "2.0.0"]);
  assert.ok(b.client.confirm());
  const done = await x.sim.waitState("UPDATED");
  assert.equal([done.current_fw_title, done.current_fw_version], [TYPE, "2.0.0"]);
  assert.equal(x.sim.states(), ["DOWNLOADING", "DOWNLOADED", "VERIFIED", "UPDATING", "UPDATED"]);
}
