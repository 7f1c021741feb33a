import { ResumableSession as Session } from "../../core/resume.js";
import { u32le } from "../../transport/checksum.js";
import { TbClient } from "../../thingsboard/client.js";
import { TbCoap } from "../../thingsboard/coap.js";
import { CoapLink } from "../../thingsboard/coap-link.js";
import { TbHttp } from "../../thingsboard/http.js";
import { TbMqtt } from "../../thingsboard/mqtt.js";
import type { EspruinoMqtt, TbDigests, TbTransport } from "../../thingsboard/ports.js";
import { BOARD } from "./board.js";
import { boot, clock, confirm, digest, flash, layout, progressStore, record, setOta } from "./ota.js";

/*
 * The client for ThingsBoard boards (instead of client.js, which carries
 * Blynk.NCP): `OTA.boot`, `OTA.confirm()`, `OTA.state()` as there, and
 * `TB.start({server, token})` (MQTT, port 1883) or
 * `TB.start({server, port, token, http: true})` or `TB.start({server, token, coap: true})`
 * (CoAP over dgram, port 5683; with either, `.check()` polls);
 * once started, `OTA.confirm()` also reports UPDATED. Progress lives in the
 * journal pages inside .eota (or, on a board without them, the Storage file "eota-tb") so a download survives a reset.
 */
const OTA = setOta({});
const store = progressStore("eota-tb");

/** Only built-ins: CRC32 always, SHA-256/384/512 where this build's crypto has them; MD5 and MURMUR3 never (no built-in). */
function digests(): TbDigests {
  const view = (a: number, l: number): Uint8Array | string => (BOARD.memoryMapped ? E.memoryArea(a, l) : flash.read(l, a));
  const d: TbDigests = { CRC32: (a, l) => u32le(E.CRC32(view(a, l))) };
  let c: EspruinoCryptoMore | undefined;
  try {
    c = require("crypto") as EspruinoCryptoMore;
  } catch (e) {
    return d;
  }
  const cr = c;
  if (BOARD.sha256) d.SHA256 = (a, l) => new Uint8Array(cr.SHA256(view(a, l)));
  const s384 = cr.SHA384;
  const s512 = cr.SHA512;
  if (s384) d.SHA384 = (a, l) => new Uint8Array(s384(view(a, l)));
  if (s512) d.SHA512 = (a, l) => new Uint8Array(s512(view(a, l)));
  return d;
}

function start(o: { server: string; port?: number; token: string; http?: boolean; coap?: boolean }) {
  const fw = { type: boot.type, version: boot.version };
  const session = new Session({
    flash: flash, digest: digest, layout: layout, record: record(),
    firmware: fw, running: boot.slot, chunkMax: BOARD.chunkSize, now: clock.now,
  });
  let m: EspruinoMqtt | undefined;
  let h: TbHttp | undefined;
  let c: TbCoap | undefined;
  let t: TbTransport;
  if (o.http) t = h = new TbHttp({ http: require("http"), host: o.server, port: o.port || 80, token: o.token, toBytes: E.toUint8Array });
  else if (o.coap) {
    // The receive buffer is 536 bytes unless asked (network.c): a whole chunk and its CoAP header must fit in one read.
    const socket = require("dgram").createSocket({ type: "udp4", recvBufferSize: BOARD.chunkSize + 128 });
    const link = new CoapLink({ socket: socket, host: o.server, port: o.port || 5683, clock: clock });
    t = c = new TbCoap({ link: link, token: o.token, toBytes: E.toUint8Array });
  } else t = new TbMqtt((m = require("MQTT").create(o.server, { client_id: "eota" + boot.slot, username: o.token, port: o.port || 1883 })), E.toUint8Array);
  const client = new TbClient({
    session: session, crc32: digest.crc32, firmware: fw,
    confirm: confirm,
    // Give the UPDATING report time to leave before the reset.
    reboot: () => setTimeout(() => E.reboot(), 1000),
    digests: digests(), store: store, clock: clock, chunkSize: BOARD.chunkSize, log: (line) => console.log(line),
  }, t);
  OTA.confirm = () => client.confirm();
  if (m) {
    const mq = m;
    mq.on("disconnected", () => setTimeout(() => mq.connect(), 5000));
    mq.connect();
  } else if (h) h.check();
  else if (c) c.check();
  return { client: client, check: () => (h ? h.check() : c && c.check()) };
}

global.TB = { start: start };
