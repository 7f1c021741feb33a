import { FLAG_ROLLED_BACK, type BootState } from "../../core/record.js";
import { openRecord } from "../../core/open.js";
import { onTrial } from "../../core/state.js";
import { errorName } from "../../core/errors.js";
import { loadBoard } from "../../board/files.js";
import { FakeClock } from "../../platform/host/clock.js";
import { crc32 } from "../../platform/host/digest.js";
import { installFactory } from "../../testbench/install.js";
import { LinkPair } from "../../platform/host/links.js";
import { NorFlash } from "../../platform/host/norflash.js";
import { httpModule, mqttModule } from "../../testbench/espruino-net.js";
import type { EspruinoMqtt, EspruinoMqttModule } from "../../thingsboard/ports.js";
import { type BootInfo, BundleBoard } from "../../testbench/bundle-board.js";
import { drogueApp, drogueImage } from "../../testbench/apps.js";
import { startHttp, startMqtt } from "./net.js";
import { SerialService } from "./serial.js";
import { DrogueService, type Faults, targetOf } from "./service.js";
import { parseHeader } from "../../core/header.js";
import { SYNC } from "../../drogue/protocol.js";

export const SIM_TYPE = "DROGUE";

export interface RunOptions {
  board: string;
  transport: "serial" | "http" | "mqtt";
  /** The image to serve (built with the Drogue client and the same transport when absent). */
  image?: Uint8Array;
  /** The served image never starts the client: it never reports, never confirms, and is rolled back. */
  silent?: boolean;
  faults?: Faults;
  /** Power the board off and on once the service has sent this many Writes. */
  resetAfter?: number;
  /** Serial: the n-th frame to the board (1-based) gets a bit flipped at byte 200, inside a Write's data (the frames carry no CRC). */
  corruptFrame?: number;
  /** At that reset, a bit of the staged prefix flips (byte 200 of the staging slot): the resume must refuse it. */
  damageAtReset?: boolean;
  /** Status.mtu the service sees is the device's; this is the service's default when none is given. */
  onProgress?: (offset: number, size: number) => void;
  log?: (line: string) => void;
  /** Emulated seconds before giving up (default 3600). */
  limitS?: number;
  /** Once the device has this many bytes of the image, the service offers a new version (3.0.0) instead. */
  switchAfter?: number;
  /** Ports of the HTTP / MQTT endpoints (0, the default: any free one; an --image's app must name the port it uses). */
  httpPort?: number;
  mqttPort?: number;
  /** Ends the run early ("stopped") once this holds for the events so far. */
  until?: (events: string[]) => boolean;
}

export interface RunResult {
  outcome: "confirmed" | "rolled back" | "stopped" | "gave up";
  /** update.offset of the first Status after the reset (resetAfter), -1 when it had none. */
  resumedAt?: number;
  boots: BootInfo[];
  events: string[];
  record: BootState;
  service: DrogueService;
  /** Emulated seconds from the first power-on to the outcome. */
  seconds: number;
}

const quiet = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A whole update in-process: v1 (the Drogue client on `transport`) installed
 * on the emulated board, the service offering the image, until the new image
 * is confirmed after its Sync, or rolled back (and declined from then on).
 */
export async function runInProcess(o: RunOptions): Promise<RunResult> {
  const board = loadBoard(o.board);
  const flash = new NorFlash({ geometry: board.geometry, strict: true });
  const clock = new FakeClock();
  const events: string[] = [];
  let outstanding = 0;
  let service: DrogueService | undefined;
  let resumedAt: number | undefined;
  let afterReset = false;
  const answer = (s: Parameters<DrogueService["answer"]>[0]) => {
    outstanding = 0;
    if (afterReset) {
      afterReset = false;
      resumedAt = s.update ? s.update.offset : -1;
    }
    const out = (service as DrogueService).answer(s);
    if (o.onProgress && s.update) o.onProgress(s.update.offset, (service as DrogueService).target.image.length);
    return out;
  };
  let port = 0;
  let close = async () => {};
  let pair: LinkPair | undefined;
  if (o.transport === "serial") {
    let frames = 0;
    pair = new LinkPair({
      clock: clock, baud: 115200,
      wire: (bytes, from) => {
        if (from !== "a" || ++frames !== o.corruptFrame) return [bytes];
        const b = new Uint8Array(bytes);
        b[200] ^= 0x04;
        return [b];
      },
    });
    new SerialService(pair.a, clock, answer);
  } else if (o.transport === "http") {
    const h = await startHttp((s) => answer(s), o.httpPort || 0, "127.0.0.1");
    port = h.port;
    close = h.close;
  } else {
    const m = await startMqtt((s) => answer(s), o.mqttPort || 0, "127.0.0.1");
    port = m.port;
    close = m.close;
  }
  const app = drogueApp(o.transport, port);
  const given = o.image ? parseHeader(o.image, crc32).info : undefined;
  // The running image: the Drogue client on this transport, of the served image's type, one version below.
  const v1Version = o.image ? "0.0.0" : "1.0.0";
  const v1 = drogueImage(board, given ? given.type : SIM_TYPE, v1Version, app);
  const v2 = o.image || drogueImage(board, SIM_TYPE, "2.0.0", o.silent ? drogueApp("silent") : app);
  const target = targetOf(v2);
  const faults: Faults = Object.assign({}, o.faults);
  if (o.switchAfter !== undefined) faults.switchAt = { offset: o.switchAfter, target: targetOf(drogueImage(board, SIM_TYPE, "3.0.0", app)) };
  service = new DrogueService(target, faults);
  if (given && given.board !== board.id) (o.log || (() => {}))("warning: the image is built for " + given.board + ", the board is " + board.id);
  installFactory(flash, board, v1, 0);
  let gen = 0;
  let links: EspruinoMqtt[] = [];
  const dev = new BundleBoard<number | string>({
    board: board, flash: flash, clock: clock, link: pair ? pair.b : undefined,
    modules: () => {
      const mine = ++gen;
      for (const l of links) l.disconnect();
      links = [];
      const powered = () => mine === gen && !flash.dead;
      const mq = mqttModule({ powered: powered });
      const MQTT: EspruinoMqttModule = { create: (s, op) => { const c = mq.create(s, op); links.push(c); return c; } };
      return { http: httpModule({ powered: powered }), MQTT: MQTT };
    },
    onEvent: (n, a, b) => {
      if (n === "status") outstanding = 1;
      if (n === "failed" || n === "refused") events.push(n + " " + errorName(Number(a)) + (b !== undefined ? " " + b : ""));
      else if (n !== "status" && n !== "write") events.push(n + (a !== undefined ? " " + a : "") + (b !== undefined ? " " + b : ""));
      if (o.log && n !== "status" && n !== "write") o.log(n + (a !== undefined ? " " + (n === "failed" || n === "refused" ? errorName(Number(a)) : a) : "") + (b !== undefined ? " " + b : ""));
    },
    onBoot: (b) => {
      events.push("boot " + b.version + " slot " + b.slot + " reason " + b.reason);
      if (o.log) o.log("power-on: " + (b.version || "nothing") + " (slot " + b.slot + ", reason " + b.reason + ")");
    },
  });
  const rec = openRecord({ flash: flash, digest: { crc32: crc32 }, layout: board.layout });
  let reset = o.resetAfter;
  let outcome: RunResult["outcome"] = "gave up";
  dev.powerOn();
  const limit = (o.limitS || 3600) * 1000;
  try {
    while (clock.now() < limit) {
      const run = dev.running;
      const st = rec.read();
      const want = service.target.version;
      // Confirmed after the Sync: the service sent one for this version, and the record has the image confirmed
      // (an application without onEvent reports nothing else).
      const synced = service.log.some((e) => e.status.version === want && e.answers.some((c) => c.kind === SYNC));
      if (run && run.version === want && synced && st.valid && !onTrial(st)) {
        outcome = "confirmed";
        break;
      }
      if (run && run.version === v1Version && (st.flags & FLAG_ROLLED_BACK) && events.some((e) => e.startsWith("declined"))) {
        outcome = "rolled back";
        break;
      }
      if (o.until && o.until(events)) {
        outcome = "stopped";
        break;
      }
      if (reset !== undefined && service.writes >= reset) {
        reset = undefined;
        // A Status already on its way over a socket would reach the service after the reset and pass
        // for the new image's first: let it arrive first (real sockets; at most about 100 ms).
        for (let i = 0; i < 100 && outstanding && !pair; i++) await new Promise((res) => setTimeout(res, 1));
        afterReset = true;
        if (o.damageAtReset) {
          const at = board.layout.slots[1].address + 200 - board.geometry.base;
          flash.data[at] ^= 0x10;
        }
        events.push("reset");
        if (o.log) o.log("reset after " + service.writes + " Writes");
        dev.powerOn();
        continue;
      }
      if (pair) clock.advance(20);
      else {
        await quiet();
        // Emulated time moves only while no Status waits for its answer.
        if (!outstanding) clock.advance(250);
      }
    }
  } finally {
    if (process.env.DROGUE_DEBUG && dev.vm) console.log(dev.vm.log.join("\n"));
    dev.kill();
    for (const l of links) l.disconnect();
    await close();
  }
  return { outcome: outcome, resumedAt: resumedAt, boots: dev.boots, events: events, record: rec.read(), service: service, seconds: clock.now() / 1000 };
}
