import { parseHeader } from "../../core/header.js";
import { openRecord } from "../../core/open.js";
import { confirmedSlot, onTrial } from "../../core/state.js";
import type { Clock } from "../../hal/clock.js";
import type { Link } from "../../hal/link.js";
import { zigbeeApp } from "../../testbench/apps.js";
import { BundleBoard, type BootInfo } from "../../testbench/bundle-board.js";
import { faultyLink, type Faults } from "../ncp/faults.js";
import { loadBoard, type Board } from "../../board/files.js";
import { FakeClock } from "../../platform/host/clock.js";
import { crc32 } from "../../platform/host/digest.js";
import { bundle } from "../../testbench/espruino-vm.js";
import { buildImage } from "../../testbench/image.js";
import { installFactory } from "../../testbench/install.js";
import { LinkPair } from "../../platform/host/links.js";
import { NorFlash } from "../../platform/host/norflash.js";
import { rng } from "../../testbench/rng.js";
import { fileVersionOf, parseOtaFileHeader, upgradeImageOf } from "../../zigbee/otafile.js";
import { Network } from "./network.js";
import { ZiGateNode } from "./node.js";
import { ZiGatePlugin, type PluginOptions } from "./plugin.js";

/** The device in the rig: its XBee's addresses and endpoint. */
export const DEVICE = { addr: 0x4c2a, ieee: new Uint8Array([0x00, 0x13, 0xa2, 0x00, 0x41, 0x5a, 0x10, 0x7e]), endpoint: 1 };

export interface ZigbeeRigOptions {
  /** The Zigbee OTA file to serve. */
  file: Uint8Array;
  board?: string;
  /** UART rate of both serial links (115200). */
  baud?: number;
  /** Faults on the host <-> ZiGate serial link and on the device <-> XBee UART. */
  serialFaults?: Faults;
  uartFaults?: Faults;
  /** Radio frames lost, each way (0..1), and the seed. */
  radioLoss?: number;
  seed?: number;
  /** The image inside `file`, when the file is damaged so that it cannot be found. */
  image?: Uint8Array;
  plugin?: Partial<PluginOptions>;
  /** The factory image's version ("1.0.0") and the running app's extra OTA.zigbee options. */
  factoryVersion?: string;
  /** The device's own manufacturer code and image type (default: the file's). */
  manufacturer?: number;
  imageType?: number;
  extra?: string;
  log?: (line: string) => void;
  onBoot?: (b: BootInfo) => void;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

export interface ZigbeeRig {
  clock: FakeClock;
  board: Board;
  flash: NorFlash;
  device: BundleBoard;
  plugin: ZiGatePlugin;
  node: ZiGateNode;
  network: Network;
  /** Every event the device reported, in order. */
  events: { name: string; a?: number; b?: number }[];
  /** Versions each Query Next Image named, in order. */
  queries: number[];
  version: string;
  fileVersion: number;
  resets: number;
  /** The two serial links (host <-> ZiGate, device <-> XBee): a wire can be set on them to watch the bytes. */
  serial: LinkPair;
  uart: LinkPair;
}

/**
 * The whole rig in one process, on simulated time: the plugin on one end of
 * a UART, the ZiGate on the other, the radio, the XBee, and the board running
 * the built zigbee bundle (factory image v1.0.0 of the file's type) on emulated flash.
 */
export function zigbeeRig(o: ZigbeeRigOptions): ZigbeeRig {
  // A damaged file (the refusal tests) names its image in `image`, and the plugin's `header` what the ZiGate loads.
  const fh = parseOtaFileHeader(o.file, Math.min(o.file.length, 69)).header || (o.plugin && o.plugin.header);
  const where = upgradeImageOf(o.file);
  const img = o.image || (where ? o.file.subarray(where.offset, where.offset + where.length) : undefined);
  const h = img ? parseHeader(img, crc32).info : undefined;
  if (!fh || !h) throw new Error("not a Zigbee OTA file with an espruino-ota image in tag 0 (mkimage --zigbee-manufacturer makes one)");
  const board = loadBoard(o.board || "linux");
  const baud = o.baud || 115200;
  const clock = new FakeClock();
  const flash = new NorFlash({ geometry: board.geometry });
  const seed = o.seed || 1;
  const rand = rng(seed);
  // host <-> ZiGate, and device <-> XBee.
  const serial = new LinkPair({ clock: clock, baud: baud });
  const uart = new LinkPair({ clock: clock, baud: baud });
  const app = bundle(board.key, "zigbee") + "\n" + zigbeeApp({ manufacturer: o.manufacturer === undefined ? fh.manufacturer : o.manufacturer, imageType: o.imageType === undefined ? fh.imageType : o.imageType, baud: baud, extra: o.extra });
  installFactory(flash, board, buildImage({ board: board.id, type: h.type, version: o.factoryVersion || "1.0.0", build: "factory", payload: new TextEncoder().encode(app) }), 0);
  const events: ZigbeeRig["events"] = [];
  const queries: number[] = [];
  const log = o.log;
  const device = new BundleBoard({
    board: board, flash: flash, clock: clock, link: uart.b, onBoot: o.onBoot,
    onEvent: (name, a, b) => {
      events.push({ name: name, a: a, b: b });
      if (o.onEvent) o.onEvent(name, a, b);
    },
  });
  const xbeeEnd: Link = o.uartFaults ? faultyLink(uart.a, { ...o.uartFaults, seed: o.uartFaults.seed || seed + 1 }, clock) : uart.a;
  const hostEnd: Link = o.serialFaults ? faultyLink(serial.a, { ...o.serialFaults, seed: o.serialFaults.seed || seed + 2 }, clock) : serial.a;
  // eslint-disable-next-line prefer-const
  let network: Network;
  const node = new ZiGateNode({ serial: serial.b, radio: (z) => network.toDevice(z), device: DEVICE, log: log });
  network = new Network({ uart: xbeeEnd, clock: clock, toServer: (z) => node.fromRadio(z), device: DEVICE, loss: o.radioLoss, rand: rand, log: log });
  node.queried = (v) => queries.push(v);
  const plugin = new ZiGatePlugin({ link: hostEnd, clock: clock, file: o.file, device: DEVICE, log: log, ...o.plugin });
  const rig: ZigbeeRig = {
    clock: clock, board: board, flash: flash, device: device, plugin: plugin, node: node, network: network, events: events, queries: queries,
    version: h.version, fileVersion: fh.fileVersion, resets: 0, serial: serial, uart: uart,
  };
  device.powerOn();
  return rig;
}

export interface ZigbeeResult {
  /** The board runs the file's image, confirmed (not on trial). */
  completed: boolean;
  outcome: string;
  ms: number;
  requests: number;
  resets: number;
}

/** Whether the board runs `version` as its confirmed image. */
export function runsConfirmed(x: ZigbeeRig): boolean {
  const b = x.device.running;
  if (!b || b.version !== x.version) return false;
  const st = openRecord({ flash: x.flash, digest: { crc32: crc32 }, layout: x.board.layout }).read();
  return st.valid && !onTrial(st) && confirmedSlot(st) === b.slot;
}

/** Loads the image into the ZiGate, lets the device fetch it, and runs until the new image is confirmed or the update fails. */
export function runZigbee(x: ZigbeeRig, o: { resetAt?: number; limitMs?: number } = {}): ZigbeeResult {
  const c = x.clock;
  const t0 = c.now();
  x.plugin.start();
  let reset = false;
  const limit = o.limitMs || 60 * 60_000;
  const ended = () => runsConfirmed(x) || x.plugin.state === "failed";
  while (!ended() && c.now() - t0 < limit) {
    c.advance(50);
    if (o.resetAt !== undefined && !reset && x.plugin.served >= o.resetAt) {
      reset = true;
      x.resets++;
      x.device.kill();
      c.setTimeout(() => x.device.powerOn(), 200);
    }
  }
  const completed = runsConfirmed(x);
  const outcome = completed ? "confirmed v" + x.version : x.plugin.state === "failed" ? x.plugin.outcome : x.plugin.state === "upgrading" ? "upgrade sent; v" + x.version + " not confirmed" : "no upgrade (" + x.plugin.state + ")";
  return { completed: completed, outcome: outcome, ms: c.now() - t0, requests: x.plugin.requests, resets: x.resets };
}

/** The Zigbee OTA file's version for an image version ("1.2.3" -> 0x01020300), or an error naming the fix. */
export function requireFileVersion(version: string): number {
  const v = fileVersionOf(version);
  if (v < 0) throw new Error("version " + JSON.stringify(version) + " has no Zigbee file version: use a.b.c[.d] (each 0-255) or give --zigbee-file-version");
  return v;
}

/** Two ends of an in-memory wire on any clock (host <-> ZiGate when the board is real: on a port, or the interpreter over a pty). */
export function memoryPair(clock: Clock): [Link, Link] {
  const h: ((d: Uint8Array) => void)[] = [() => {}, () => {}];
  const end = (i: number): Link => ({
    write: (b) => {
      const c = new Uint8Array(b);
      clock.setTimeout(() => h[1 - i](c), 0);
    },
    onData: (f) => void (h[i] = f as (d: Uint8Array) => void),
    setBaud: () => {},
  });
  return [end(0), end(1)];
}
