import { u32le } from "../../transport/checksum.js";
import { TbCoap } from "../../thingsboard/coap.js";
import { CoapLink } from "../../thingsboard/coap-link.js";
import { TbHttp } from "../../thingsboard/http.js";
import type { EspruinoMqtt, TbDigests } from "../../thingsboard/ports.js";
import { startTb } from "../../thingsboard/start.js";
import { BOARD } from "./board.js";
import { boot, clock, confirm, env, flash, progressStore, setOta } from "./ota.js";

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
  let m: EspruinoMqtt | undefined;
  let h: TbHttp | undefined;
  let c: TbCoap | undefined;
  if (o.http) h = new TbHttp({ http: require("http"), host: o.server, port: o.port || 80, token: o.token, toBytes: E.toUint8Array });
  else if (o.coap) {
    // The receive buffer is 536 bytes unless asked (network.c): a whole chunk and its CoAP header must fit in one read.
    const socket = require("dgram").createSocket({ type: "udp4", recvBufferSize: BOARD.chunkSize + 128 });
    c = new TbCoap({ link: new CoapLink({ socket: socket, host: o.server, port: o.port || 5683, clock: clock }), token: o.token, toBytes: E.toUint8Array });
  } else m = require("MQTT").create(o.server, { client_id: "eota" + boot.slot, username: o.token, port: o.port || 1883 });
  const t = startTb(env, {
    mqtt: m, http: h, coap: c, toBytes: E.toUint8Array,
    digests: digests(), store: store, chunkSize: BOARD.chunkSize, confirm: confirm,
    // Give the UPDATING report time to leave before the reset.
    reboot: () => setTimeout(() => E.reboot(), 1000),
    log: (line) => console.log(line),
  });
  OTA.confirm = () => t.client.confirm();
  return t;
}

global.TB = { start: start };
