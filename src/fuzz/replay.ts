import { COMMAND, RECV_FW } from "../bleota/protocol.js";
import { loadBoard, type Board } from "../board/files.js";
import type { Link } from "../hal/link.js";
import { FakeClock } from "../platform/host/clock.js";
import { NorFlash } from "../platform/host/norflash.js";
import { bleRig, runBleUpdate } from "../peers/ble/run.js";
import { DrogueService, targetOf } from "../peers/drogue/service.js";
import { SerialService } from "../peers/drogue/serial.js";
import { DEVICE } from "../peers/zigate/run.js";
import { Network } from "../peers/zigate/network.js";
import { ZiGateNode } from "../peers/zigate/node.js";
import { ZiGatePlugin } from "../peers/zigate/plugin.js";
import { LinkPair } from "../platform/host/links.js";
import { fromLatin1 } from "../platform/host/latin1.js";
import { buildImage } from "../testbench/image.js";
import { installFactory } from "../testbench/install.js";
import { PoweredBoard, type Transport } from "../testbench/powered-board.js";
import { bleTransport, drogueTransport, ncpTransport, zigbeeTransport } from "../testbench/transports.js";
import { NcpSimulator } from "../peers/ncp/simulator.js";
import { rng } from "../testbench/rng.js";
import { BLE_APP } from "../testbench/apps.js";
import { bundle } from "../testbench/espruino-vm.js";
import { buildOtaFile, fileVersionOf } from "../zigbee/otafile.js";
import { ramStore } from "../testbench/espruino-net.js";
import { type FuzzResult } from "./run.js";
import { mutate, randomBytes } from "./mutate.js";
import { FuzzTarget } from "./target.js";

/** What the peer sent the board in one whole update, piece by piece, and when (ms since the last piece). */
export interface Recording {
  board: Board;
  /** The flash before the update: the factory install. */
  flash: Uint8Array;
  /** `answered`: the board had sent something since the piece before (the peer answers it: the replay waits for the board's own). */
  pieces: { ms: number; bytes: Uint8Array; answered: boolean }[];
}

/**
 * A transport the replay fuzzer covers: how to record a whole update with
 * its real peer, and its client on a PoweredBoard fed through a link (BLE:
 * the first byte says which characteristic, 0 COMMAND, 1 RECV_FW).
 */
export interface Replayable {
  name: string;
  record(): Recording;
  transport(link: Link, onEvent: (name: string, a?: unknown) => void): Transport<unknown>;
}

const MFR = 0x1234;
const ITYPE = 0x5678;

/** A recorder for a pair's a → b bytes, with the simulated time between them. */
function recorder(clock: FakeClock, pieces: Recording["pieces"]) {
  let last = clock.now();
  let answered = false;
  return (bytes: Uint8Array, from: "a" | "b"): Uint8Array[] => {
    if (from === "a") {
      pieces.push({ ms: clock.now() - last, bytes: bytes.slice(), answered: answered });
      last = clock.now();
      answered = false;
    } else answered = true;
    return [bytes];
  };
}

/** A linux board with v1.0.0 of `type` installed, and v2.0.0 (`size` seeded random bytes) to update it to. */
function factory(type: string, seed: number, size: number) {
  const board = loadBoard("linux");
  const clock = new FakeClock();
  const flash = new NorFlash({ geometry: board.geometry });
  installFactory(flash, board, buildImage({ board: board.id, type: type, version: "1.0.0", build: "f", payload: new Uint8Array(2000).fill(0x41) }), 0);
  const v2 = buildImage({ board: board.id, type: type, version: "2.0.0", build: "f", payload: randomBytes(rng(seed), size) });
  return { board: board, clock: clock, flash: flash, start: flash.data.slice(), v2: v2 };
}

/** The transports the fuzzer covers by replaying a recorded update with edits (and the sweep by cutting its power). */
export const REPLAYABLE: Replayable[] = [
  {
    // The NCP simulator (Blynk.Air's side) against the TypeScript client: what the NCP sends down the UART.
    name: "ncp",
    record: () => {
      const { board, clock, flash, start, v2 } = factory("NCPFUZZ", 7, 12000);
      const pieces: Recording["pieces"] = [];
      const pair = new LinkPair({ clock: clock, baud: 115200, wire: recorder(clock, pieces) });
      const sim = new NcpSimulator({ link: pair.a, clock: clock, image: v2, type: "NCPFUZZ", version: "2.0.0", build: "f" });
      const dev = new PoweredBoard({ board: board, flash: flash, clock: clock, transport: ncpTransport({ link: pair.b }) });
      dev.powerOn();
      // Blynk.Air offers the update once the device has reported its firmware.
      clock.runUntil(() => sim.reported.length > 0, 60_000);
      sim.offer();
      clock.runUntil(() => !!dev.client && dev.client.confirmed && !!dev.running && dev.running.info!.version === "2.0.0", 600_000);
      return { board: board, flash: start, pieces: pieces };
    },
    transport: (link, onEvent) => ncpTransport({ link: link, onEvent: onEvent }),
  },
  {
    // The service on drgdfu's serial framing, against the TypeScript client on a PoweredBoard.
    name: "drogue",
    record: () => {
      const { board, clock, flash, start, v2 } = factory("DFUFUZZ", 5, 20000);
      const pieces: Recording["pieces"] = [];
      const pair = new LinkPair({ clock: clock, baud: 115200, wire: recorder(clock, pieces) });
      const service = new DrogueService(targetOf(v2));
      new SerialService(pair.a, clock, (s) => service.answer(s));
      const dev = new PoweredBoard({ board: board, flash: flash, clock: clock, transport: drogueTransport({ link: pair.b, store: ramStore() }) });
      dev.powerOn();
      const v2Runs = () => !!dev.running && !!dev.running.info && dev.running.info.version === "2.0.0";
      clock.runUntil(v2Runs, 600_000);
      // The Sync that confirms it.
      clock.advance(5000);
      return { board: board, flash: start, pieces: pieces };
    },
    transport: (link, onEvent) => drogueTransport({ link: link, store: ramStore(), onEvent: onEvent }),
  },
  {
    // The ZiGate, its host plugin, the radio and the XBee against the TypeScript client (its random draws from a seed).
    name: "zigbee",
    record: () => {
      const { board, clock, flash, start, v2 } = factory("ZBFUZZ", 6, 12000);
      const file = buildOtaFile({ manufacturer: MFR, imageType: ITYPE, fileVersion: fileVersionOf("2.0.0"), image: v2 });
      const pieces: Recording["pieces"] = [];
      const serial = new LinkPair({ clock: clock, baud: 115200 });
      const uart = new LinkPair({ clock: clock, baud: 115200, wire: recorder(clock, pieces) });
      // eslint-disable-next-line prefer-const
      let network: Network;
      const node = new ZiGateNode({ serial: serial.b, radio: (z) => network.toDevice(z), device: DEVICE });
      network = new Network({ uart: uart.a, clock: clock, toServer: (z) => node.fromRadio(z), device: DEVICE });
      const plugin = new ZiGatePlugin({ link: serial.a, clock: clock, file: file, device: DEVICE });
      const dev = new PoweredBoard({ board: board, flash: flash, clock: clock, transport: zigbeeTransport({ link: uart.b, manufacturer: MFR, imageType: ITYPE, random: rng(9) }) });
      dev.powerOn();
      plugin.start();
      clock.runUntil(() => !!dev.running && !!dev.running.info && dev.running.info.version === "2.0.0", 3_600_000);
      clock.advance(5000);
      return { board: board, flash: start, pieces: pieces };
    },
    transport: (link, onEvent) => zigbeeTransport({ link: link, manufacturer: MFR, imageType: ITYPE, random: rng(9), onEvent: onEvent }),
  },
  {
    // The phone's GATT writes (ble-sim's client) against the built ble.js: the characteristic in the first byte.
    name: "ble",
    record: () => {
      const board = loadBoard("puckjs");
      const img = buildImage({ board: board.id, type: "BLEFUZZ", version: "2.0.0", build: "f", payload: new TextEncoder().encode(bundle("puckjs", "ble") + "\n" + BLE_APP) });
      const x = bleRig({ image: img, mtu: 53 });
      const start = x.flash.data.slice();
      const pieces: Recording["pieces"] = [];
      const write = x.nrf.write.bind(x.nrf);
      let last = x.clock.now();
      let answered = false;
      x.nrf.onNotify(() => (answered = true));
      x.nrf.write = (svc, ch, data) => {
        if (ch === COMMAND || ch === RECV_FW) {
          const b = new Uint8Array(data.length + 1);
          b[0] = ch === COMMAND ? 0 : 1;
          b.set(data, 1);
          pieces.push({ ms: x.clock.now() - last, bytes: b, answered: answered });
          last = x.clock.now();
          answered = false;
        }
        return write(svc, ch, data);
      };
      runBleUpdate(x);
      return { board: board, flash: start, pieces: pieces };
    },
    transport: (link) => {
      const t = bleTransport({ notify: (_uuid, v) => link.write(v) });
      return {
        name: t.name,
        start: (p) => {
          const ota = t.start(p);
          link.onData((d) => {
            const b = typeof d === "string" ? fromLatin1(d) : d;
            if (b[0] === 0) ota.command(b.subarray(1));
            else if (b[0] === 1) ota.firmware(b.subarray(1));
            else ota.disconnect();
          });
          return ota;
        },
      };
    },
  },
];

/**
 * The recorded pace before piece `p`: a piece that answered the board waits
 * for the board to ask (its own timers may differ from the recording's), any
 * other comes the recorded time after the last. `since`: the board's sends
 * counted before the last piece; returns the count to pass next time.
 */
export function pace(t: FuzzTarget<unknown>, p: Recording["pieces"][number], since: number): number {
  if (p.answered && t.replies === since) t.idleUntil(() => t.replies > since, p.ms + 5000);
  else if (p.ms) t.idle(p.ms);
  return t.replies;
}

/** What an edited piece becomes; "late": it comes after up to 20 s of silence. */
const EDITS = ["mutated", "dropped", "doubled", "random", "earlier again", "late"];

/**
 * Fuzzes a transport's client by replaying a recorded whole update with
 * edits: each piece is passed on, flipped/cut/grown (mutate), dropped,
 * doubled, swapped for random bytes, delivered late, or replaced by an
 * earlier piece; otherwise at the recorded pace. The board starts from the factory
 * install after every replay. Same checks as the Blynk fuzzer: no exception
 * out of the client, no write outside the staging slot and the banks, the
 * running image always intact.
 */
export function runReplayFuzz(o: { seed: number; inputs: number; transport: string; edits?: number }): FuzzResult {
  const edits = o.edits === undefined ? 0.3 : o.edits;
  const r = REPLAYABLE.find((x) => x.name === o.transport);
  if (!r) throw new Error("no replay fuzzer for " + o.transport + " (" + REPLAYABLE.map((x) => x.name).join(", ") + ")");
  const rec = r.record();
  if (rec.pieces.length < 5) throw new Error(o.transport + ": the recorded update has only " + rec.pieces.length + " pieces");
  const rand = rng(o.seed);
  const res: FuzzResult = { inputs: 0, crashes: 0, strayWrites: 0, lost: 0, hangs: 0, events: {}, kinds: {}, firstCrash: "" };
  let target: FuzzTarget<unknown> | undefined;
  let at = 0;
  let sinceReplies = 0;
  // Half the replays take few edits, so that long updates (BLE: 255 pieces) still reach their end with some.
  let rate = edits;
  const fresh = () => {
    // Time for what ends an update (a reset after Stop, a Sync's confirm) before the board is judged.
    if (target) target.idle(10000), collect(target);
    const flash = new NorFlash({ geometry: rec.board.geometry, data: rec.flash.slice(), strict: rand() < 0.5 });
    target = new FuzzTarget<unknown>(rec.board, flash, r.transport);
    at = 0;
    sinceReplies = 0;
    rate = rand() < 0.5 ? edits : edits / 30;
  };
  const collect = (t: FuzzTarget<unknown>) => {
    res.crashes += t.crashes;
    res.strayWrites += t.strayWrites;
    if (!res.firstCrash) res.firstCrash = t.firstCrash;
    for (const k in t.events) res.events[k] = (res.events[k] || 0) + t.events[k];
    // A reboot the client asked for: what a finished update ends with (BLE reports no other event).
    res.events["reboot:"] = (res.events["reboot:"] || 0) + t.reboots;
    if (!t.intact()) res.lost++;
  };
  fresh();
  for (let i = 0; i < o.inputs; i++) {
    if (at >= rec.pieces.length) fresh();
    const p = rec.pieces[at++];
    const t = target as FuzzTarget<unknown>;
    sinceReplies = pace(t, p, sinceReplies);
    const kind = rand() < rate ? EDITS[Math.floor(rand() * EDITS.length)] : "as recorded";
    res.kinds[kind] = (res.kinds[kind] || 0) + 1;
    const t0 = Date.now();
    if (kind === "as recorded") t.feed(p.bytes);
    else if (kind === "mutated") t.feed(mutate(rand, p.bytes));
    else if (kind === "dropped") t.idle(0);
    else if (kind === "doubled") t.feed(p.bytes), t.feed(p.bytes);
    else if (kind === "random") t.feed(randomBytes(rand, 1 + Math.floor(rand() * 64)));
    else if (kind === "late") t.idle(Math.floor(rand() * 20000)), t.feed(p.bytes);
    else t.feed(rec.pieces[Math.floor(rand() * at)].bytes);
    if (Date.now() - t0 > 2000) res.hangs++;
    res.inputs++;
  }
  const last = target as FuzzTarget<unknown>;
  last.idle(10000);
  collect(last);
  return res;
}
