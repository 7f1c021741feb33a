import type { BleOta } from "../bleota/server.js";
import { crc16Table, tableCrc16 } from "../bleota/crc16.js";
import { startBle } from "../bleota/start.js";
import type { Link } from "../hal/link.js";
import type { NcpClient } from "../ncp/client.js";
import { crc8 } from "../ncp/crc8.js";
import { startNcp } from "../ncp/start.js";
import { Session, type SessionEnv } from "../core/session.js";
import type { DfuClient } from "../drogue/client.js";
import { DfuSerial } from "../drogue/serial.js";
import { startDfu } from "../drogue/start.js";
import type { Store } from "../transport/store.js";
import { startZigbee } from "../zigbee/start.js";
import type { ZigbeeClient } from "../zigbee/client.js";
import { loopSum } from "../zigbee/xbee.js";
import type { Transport } from "./powered-board.js";

/*
 * The transports as the host runs them on a PoweredBoard: each starts the
 * same client the device entry starts (src/platform/espruino/*-main.ts),
 * over a host link. One entry per transport; the fuzzer picks them by name.
 */

/** Blynk.NCP on a UART link. */
export function ncpTransport(o: { link: Link; chunkSize?: number; baud?: { initial: number; fast: number }; onEvent?: (name: string, a?: number, b?: number) => void }): Transport<NcpClient> {
  const link = o.link;
  return {
    name: "ncp",
    start: (p) => {
      if (o.baud) link.setBaud(o.baud.initial);
      return startNcp(p.env, {
        link: link, crc8: crc8, chunkSize: o.chunkSize || p.board.chunkSize, confirm: p.confirm,
        system: { reboot: p.reboot, memoryFree: () => 0 },
        baud: o.baud ? { initial: o.baud.initial, fast: o.baud.fast, setBaud: (x) => link.setBaud(x) } : undefined,
        onEvent: o.onEvent,
      });
    },
    stop: () => link.onData(() => {}),
  };
}

/** ESP BLE OTA: `write(uuid, bytes)` is a GATT write from the phone; notifications go to `notify`. */
export function bleTransport(o: { notify: (uuid: number, value: Uint8Array) => void }): Transport<BleOta> {
  return {
    name: "ble",
    start: (p) => startBle(p.env, { crc16: tableCrc16(crc16Table()), notify: o.notify, reboot: p.reboot }),
  };
}

/** Zigbee OTA through an XBee 3 on a UART link. */
export function zigbeeTransport(o: {
  link: Link; store?: Store; manufacturer: number; imageType: number; random?: () => number; onEvent?: (name: string, a?: number, b?: number) => void;
}): Transport<ZigbeeClient> {
  return {
    name: "zigbee",
    start: (p) => startZigbee(p.env, {
      link: o.link, sum: loopSum, manufacturer: o.manufacturer, imageType: o.imageType, chunkSize: p.board.chunkSize,
      store: o.store, confirm: p.confirm, system: { reboot: p.reboot, memoryFree: () => 0 }, random: o.random, onEvent: o.onEvent,
    }),
  };
}

/** Drogue IoT DFU in drgdfu's serial framing on a UART link. */
export function drogueTransport(o: { link: Link; store: Store; onEvent?: (name: string, a?: number | string, b?: number | string) => void }): Transport<DfuClient> {
  return {
    name: "drogue",
    start: (p) => startDfu(p.env, {
      transport: new DfuSerial(o.link, p.env.clock), mtu: p.board.chunkSize, confirm: p.confirm, reboot: p.reboot, store: o.store, onEvent: o.onEvent,
    }),
  };
}

/** No transport: the caller drives the session itself (the power-cut sweep plays the server this way); `make` builds it. */
export function sessionTransport(make: (o: SessionEnv, chunkMax: number) => Session = (o, n) => new Session(o, n)): Transport<Session> {
  return {
    name: "session",
    start: (p) => make(p.env, p.board.chunkSize),
  };
}
