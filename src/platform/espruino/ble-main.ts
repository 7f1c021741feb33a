import { confirmRunning } from "../../boot/confirm.js";
import { openRecord } from "../../core/open.js";
import type { Digest } from "../../hal/digest.js";
import type { Flash } from "../../hal/flash.js";
import { crc16Table, wordCrc16 } from "../../bleota/crc16.js";
import { COMMAND, CUSTOMER, PROGRESS, RECV_FW, SERVICE } from "../../bleota/protocol.js";
import { CHUNK_MAX } from "../../bleota/server.js";
import { startBle } from "../../bleota/start.js";
import { BOARD, boardLayout } from "./board.js";

/*
 * The client for Bluetooth boards (instead of client.js): `OTA.boot`,
 * `OTA.confirm()`, `OTA.state()` as there, and `OTA.ble(opt)`, the ESP BLE
 * OTA GATT server (docs/ble-ota.md): DIS 0x180A and service 0x8018. An image
 * on trial confirms itself at the first connection (the radio works), unless
 * `{autoConfirm: false}`; `{manufacturer}` names the maker in DIS. Flash,
 * digest, BootRecord and parseHeader are the boot stub's (global.OTA_LIB).
 */
interface BleOptions {
  autoConfirm?: boolean;
  manufacturer?: string;
}

// The stub's [BootRecord, parseHeader, flash, digest] (boot-main.ts).
const lib = global.OTA_LIB as [unknown, unknown, Flash, Digest];
const flash = lib[2];
const digest = lib[3];
const layout = boardLayout(BOARD);
const boot = (global.OTA_BOOT || { slot: -1, reason: 4, type: "", version: "" }) as { slot: number; reason: number; type: string; version: string };
// The board as confirm(), state() and startBle read it: one object, not one per call site.
const home = {
  flash: flash, digest: digest, layout: layout, running: boot.slot, boot: boot,
  clock: { now: () => getTime() * 1000, setTimeout: (f: () => void, ms: number) => setTimeout(f, ms), clearTimeout: (h: unknown) => clearTimeout(h as number) },
};
const confirm = () => confirmRunning(home);

// Integer keys: Espruino reads them as 16-bit UUIDs (bluetooth_utils.c bleVarToUUID); no computed keys in its parser.
type Chars = { [k: number]: object };

function ble(opt?: BleOptions) {
  const o = opt || {};
  const ota = startBle(home, {
    crc16: wordCrc16(crc16Table()),
    notify: (uuid, v) => {
      const c: Chars = {};
      const s: Chars = {};
      c[uuid] = { value: v, notify: true };
      s[SERVICE] = c;
      NRF.updateServices(s);
    },
    reboot: () => E.reboot(),
  });
  const w = (f: (p: Uint8Array) => void) => (evt: { data: ArrayBuffer }) => f(new Uint8Array(evt.data));
  const dis: Chars = {};
  dis[0x2a24] = { value: BOARD.id, readable: true };
  dis[0x2a26] = { value: boot.version, readable: true };
  dis[0x2a28] = { value: boot.type, readable: true };
  dis[0x2a29] = { value: o.manufacturer || "Espruino", readable: true };
  const svc: Chars = {};
  svc[RECV_FW] = { writable: true, notify: true, maxLen: CHUNK_MAX + 3, value: [0], onWrite: w((p) => ota.firmware(p)) };
  svc[PROGRESS] = { readable: true, notify: true, maxLen: 20, value: [0, 0] };
  svc[COMMAND] = { writable: true, notify: true, maxLen: 20, value: [0], onWrite: w((p) => ota.command(p)) };
  svc[CUSTOMER] = { writable: true, notify: true, maxLen: 20, value: [0], onWrite: () => {} };
  const all: Chars = {};
  all[0x180a] = dis;
  all[SERVICE] = svc;
  NRF.setServices(all, { advertise: ["8018"] });
  // Boot reasons 1 (on trial) and 5 (fallback on trial): boot/decide.ts trialReason, not imported (it would bring the decision along).
  let ok = false;
  NRF.on("connect", () => {
    if (!ok && o.autoConfirm !== false && (boot.reason === 1 || boot.reason === 5)) ok = confirm();
  });
  NRF.on("disconnect", () => ota.disconnect());
  return ota;
}

global.OTA = {
  board: BOARD.id,
  boot: boot,
  confirm: confirm,
  state: () => openRecord(home).read(),
  ble: ble,
};
