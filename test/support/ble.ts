import { loadBoard } from "../../src/board/files.js";
import { bundle } from "../../src/testbench/espruino-vm.js";
import { buildImage } from "../../src/testbench/image.js";
import { BLE_APP } from "../../src/testbench/apps.js";
import { type BleRig, type BleRigOptions, bleRig } from "../../src/peers/ble/run.js";
import * as P from "../../src/bleota/protocol.js";

export const BLE_TYPE = "TMPLBLE";

/** An image with the built ble.js for `key` and OTA.ble(), padded to about `size` bytes (a comment) to span more sectors. */
export function bleImage(key: string, version: string, size = 0, o: { board?: string; app?: string } = {}): Uint8Array {
  const js = bundle(key, "ble") + "\n" + (o.app || BLE_APP);
  const pad = Math.max(0, size - js.length - 300);
  const payload = new TextEncoder().encode(js + (pad ? "//" + "x".repeat(pad) + "\n" : ""));
  return buildImage({ board: o.board || loadBoard(key).id, type: BLE_TYPE, version: version, build: "test", payload: payload });
}

/** The rig, its flash log cleared after the factory install and the first power-on. */
export function rig(key: string, image: Uint8Array, o: Partial<BleRigOptions> = {}): BleRig {
  const x = bleRig({ image: image, board: key, ...o });
  x.flash.log.splice(0);
  return x;
}

/** Flash writes and erases outside the staging slot (slot 1 at the first update) and the record banks. */
export function strayOps(x: BleRig, staging = 1): string[] {
  const s = x.board.layout.slots[staging];
  const banks = x.board.layout.banks;
  const blk = x.board.geometry.blockLength as number;
  const inside = (a: number, b: number) => (a >= s.address && b <= s.address + s.size) || banks.some((k) => a >= k && b <= k + blk);
  return x.flash.log.filter((op) => !inside(op.start, op.end)).map((op) => op.kind + " " + op.start.toString(16) + ".." + op.end.toString(16));
}

/** Packet-level access to the board: writes, and every notification since the last take(). */
export function wire(x: BleRig) {
  const got: [number, Uint8Array][] = [];
  x.nrf.onNotify((_s, ch, v) => got.push([ch, v]));
  return {
    cmd: (p: Uint8Array) => x.nrf.write(P.SERVICE, P.COMMAND, p),
    fw: (p: Uint8Array) => x.nrf.write(P.SERVICE, P.RECV_FW, p),
    /** Notifications since the last take, as [characteristic, u16 at 0, 2, 4] (progress: [ch, percent, code]). */
    take: (): number[][] => got.splice(0).map(([ch, v]) => (ch === P.PROGRESS ? [ch, v[0], v[1]] : [ch, P.u16(v, 0), P.u16(v, 2), P.u16(v, 4)])),
    raw: () => got.splice(0),
  };
}
