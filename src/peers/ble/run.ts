import { parseHeader } from "../../core/header.js";
import { openRecord } from "../../core/open.js";
import { confirmedSlot, onTrial } from "../../core/state.js";
import * as P from "../../bleota/protocol.js";
import { type Board, loadBoard } from "../../board/files.js";
import { FakeClock } from "../../platform/host/clock.js";
import { crc32 } from "../../platform/host/digest.js";
import { bundle } from "../../testbench/espruino-vm.js";
import { buildImage } from "../../testbench/image.js";
import { installFactory } from "../../testbench/install.js";
import { toLatin1 } from "../../platform/host/latin1.js";
import { NorFlash } from "../../platform/host/norflash.js";
import type { BootInfo } from "../../testbench/bundle-board.js";
import { BLE_APP } from "../../testbench/apps.js";
import { BundleBoard } from "../../testbench/bundle-board.js";
import { NrfStandIn } from "../../testbench/nrf.js";
import { BleOtaClient } from "./client.js";
import type { BleFaults } from "./faults.js";

export interface BleRigOptions {
  /** The image to send (mkimage --with-ble). */
  image: Uint8Array;
  /** Board key (puckjs). */
  board?: string;
  mtu?: number;
  faults?: BleFaults;
  log?: (s: string) => void;
  onBoot?: (b: BootInfo) => void;
  onProgress?: (bytes: number) => void;
  /** Application of the factory image (v0.0.0 of the image's type). */
  app?: string;
}

/** A Bluetooth board on emulated flash running v0.0.0 of the image's type (ble.js + OTA.ble()), and the client. */
export interface BleRig {
  board: Board;
  flash: NorFlash;
  clock: FakeClock;
  device: BundleBoard;
  /** The board's Bluetooth, as a phone sees it. */
  nrf: NrfStandIn;
  client: BleOtaClient;
  version: string;
}

export function bleRig(o: BleRigOptions): BleRig {
  const h = parseHeader(o.image, crc32).info;
  if (!h) throw new Error("not an image (mkimage makes one)");
  const board = loadBoard(o.board || "puckjs");
  const clock = new FakeClock();
  const flash = new NorFlash({ geometry: board.geometry });
  const app = bundle(board.key, "ble") + "\n" + (o.app || BLE_APP);
  installFactory(flash, board, buildImage({ board: board.id, type: h.type, version: "0.0.0", build: "factory", payload: new TextEncoder().encode(app) }), 0);
  const nrf = new NrfStandIn();
  const device = new BundleBoard({ board: board, flash: flash, clock: clock, nrf: nrf, onBoot: o.onBoot });
  device.powerOn();
  const client = new BleOtaClient({
    nrf: nrf, clock: clock, image: o.image, mtu: o.mtu || 23, faults: o.faults, log: o.log, onProgress: o.onProgress,
    reset: () => device.powerOn(),
  });
  return { board: board, flash: flash, clock: clock, device: device, nrf: nrf, client: client, version: h.version };
}

export interface BleResult {
  /** Stop accepted. */
  applied: boolean;
  /** The board came back running the new version (DIS firmware revision). */
  reported: boolean;
  /** ... and its boot record names it confirmed. */
  confirmed: boolean;
  outcome: string;
  resends: number;
  ms: number;
}

/** The whole update in simulated time, then a connection to the new image (which confirms itself) and a read of its DIS. */
export function runBleUpdate(x: BleRig): BleResult {
  const t0 = x.clock.now();
  const applied = x.client.run();
  let reported = false;
  let confirmed = false;
  if (applied) {
    x.clock.advance(2000);
    if (x.client.connect()) {
      const v = x.nrf.read(0x180a, 0x2a26);
      reported = !!v && toLatin1(v) === x.version;
      x.clock.advance(200);
      confirmed = reported && isConfirmed(x);
      x.nrf.disconnect();
    }
  }
  const outcome = !applied ? x.client.outcome : !reported ? "applied; the board did not come back with v" + x.version : confirmed ? "confirmed" : "applied; not confirmed";
  return { applied: applied, reported: reported, confirmed: confirmed, outcome: outcome, resends: x.client.resends, ms: x.clock.now() - t0 };
}

/** The boot record names the running slot confirmed, nothing on trial. */
export function isConfirmed(x: BleRig): boolean {
  const s = openRecord({ flash: x.flash, digest: { crc32: crc32 }, layout: x.board.layout }).read();
  const run = x.device.running;
  return !!run && s.valid && !onTrial(s) && confirmedSlot(s) === run.slot;
}

export { P };
