import type { Link } from "../../hal/link.js";
import { DfuHttp } from "../../drogue/http.js";
import { DfuMqtt } from "../../drogue/mqtt.js";
import type { DfuTransport } from "../../drogue/ports.js";
import { DfuSerial } from "../../drogue/serial.js";
import { startDfu } from "../../drogue/start.js";
import { BOARD } from "./board.js";
import { clock, confirm, env, progressStore, setOta } from "./ota.js";
import { serialLink } from "./link.js";

/*
 * The client for Drogue IoT boards (instead of client.js): `OTA.boot`,
 * `OTA.confirm()`, `OTA.state()` as there, and
 *   DFU.start({serial: {rx, tx} | {path}, baud})        drgdfu's framing on Serial1 (115200 by default), or any `link`
 *   DFU.start({http: {server, port, user, password}})    POST /v1/dfu?ct=30, CBOR
 *   DFU.start({mqtt: {server, port, app, device, password}})  channel dfu, commands on command/{app}/{device}/dfu
 * An image updated this way confirms itself on the service's Sync, not at start.
 * Progress lives in the journal pages inside .eota (or the Storage file "eota-dfu").
 */
interface DfuOptions {
  link?: Link;
  serial?: object;
  baud?: number;
  http?: { server: string; port?: number; user?: string; password?: string };
  mqtt?: { server: string; port?: number; app: string; device: string; password?: string };
  mtu?: number;
  /** Bytes between saved progress records (4096). */
  checkpointEvery?: number;
  onEvent?: (name: string, a?: number | string, b?: number | string) => void;
}

setOta({});
const store = progressStore("eota-dfu");

function start(opt?: DfuOptions) {
  const o = opt || {};
  let t: DfuTransport;
  const mtu = o.mtu || BOARD.chunkSize;
  let m;
  if (o.http) {
    const h = o.http;
    t = new DfuHttp({
      http: require("http"), host: h.server, port: h.port || 80, mtu: mtu, toBytes: E.toUint8Array, toText: E.toString,
      auth: h.user ? "Basic " + btoa(h.user + ":" + (h.password || "")) : undefined,
    });
  } else if (o.mqtt) {
    const q = o.mqtt;
    m = require("MQTT").create(q.server, { client_id: q.device, username: q.device + "@" + q.app, password: q.password, port: q.port || 1883 });
    t = new DfuMqtt(m, { app: q.app, device: q.device, toBytes: E.toUint8Array, toText: E.toString, mtu: mtu });
  } else t = new DfuSerial(o.link || serialLink(o.baud || 115200, o.serial || {}), clock);
  const client = startDfu(env, {
    transport: t, mqtt: m, mtu: o.mtu, confirm: confirm,
    // The network transports get a second for what is on its way out.
    reboot: () => setTimeout(() => E.reboot(), o.link || !(o.http || o.mqtt) ? 50 : 1000),
    store: store, onEvent: o.onEvent, checkpointEvery: o.checkpointEvery,
    // The cloud may hold an HTTP request for ct = 30 s: drogue-device waits 40 s for the answer.
    timeoutMs: o.http ? 40000 : 15000,
  });
  return client;
}

global.DFU = { start: start };
