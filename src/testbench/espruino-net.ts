import * as dgram from "node:dgram";
import { EventEmitter } from "node:events";
import * as http from "node:http";
import mqtt from "mqtt";
import type { DgramSocket, EspruinoDgram, EspruinoHttp, EspruinoMqtt, EspruinoMqttModule, HttpOptions, HttpRequest, HttpResponse, MqttPublish, ToBytes } from "../thingsboard/ports.js";
import type { Store } from "../transport/store.js";
import { fromLatin1, toLatin1 } from "../platform/host/latin1.js";

/*
 * Host stand-ins with the shape of Espruino's `require("MQTT")`,
 * `require("http")` and `require("dgram")`, over mqtt.js, node:http and node:dgram, so the device code (the
 * ThingsBoard client and its transports) runs unchanged against real
 * servers. Payloads cross as binary strings, as on the board. `powered`
 * models the board losing power: nothing leaves it and nothing reaches it.
 */

export const latin1Bytes: ToBytes = fromLatin1;

export interface Power {
  powered?: () => boolean;
}

export function mqttModule(p: Power = {}): EspruinoMqttModule {
  const on = () => !p.powered || p.powered();
  return {
    create: (server, opts) => {
      const ev = new EventEmitter();
      let c: mqtt.MqttClient | undefined;
      const m: EspruinoMqtt = {
        on: (event: string, fn: (pub: MqttPublish) => void) => {
          ev.on(event, fn);
        },
        connect: () => {
          // Espruino's module does not reconnect by itself; neither does this.
          if (c) {
            c.removeAllListeners();
            c.on("error", () => {});
            c.end(true);
          }
          c = mqtt.connect({
            host: server, port: opts.port, clientId: opts.client_id, username: opts.username, password: opts.password,
            keepalive: opts.keep_alive || 60, reconnectPeriod: 0, protocolVersion: 4,
          });
          c.on("connect", () => on() && ev.emit("connected"));
          c.on("close", () => on() && ev.emit("disconnected"));
          c.on("error", (e) => on() && ev.listenerCount("error") > 0 && ev.emit("error", e));
          c.on("message", (topic, payload) => {
            if (on()) ev.emit("publish", { topic: topic, message: toLatin1(payload) });
          });
        },
        subscribe: (topic) => {
          if (c && on()) c.subscribe(topic, { qos: 0 });
        },
        publish: (topic, message) => {
          if (c && on()) c.publish(topic, Buffer.from(message, "latin1"), { qos: 0 });
        },
        disconnect: () => {
          if (c) c.end(true);
        },
      };
      return m;
    },
  };
}

export function httpModule(p: Power = {}): EspruinoHttp {
  const on = () => !p.powered || p.powered();
  const call = (opts: HttpOptions, cb: (res: HttpResponse) => void): HttpRequest => {
    const req = http.request({ host: opts.host, port: opts.port, path: opts.path, method: opts.method || "GET", headers: opts.headers, agent: false }, (res) => {
      if (!on()) {
        res.destroy();
        return;
      }
      const r: HttpResponse = {
        statusCode: res.statusCode || 0,
        on: (event: string, fn: (data: string) => void) => {
          if (event === "data") res.on("data", (b: Buffer) => on() && fn(b.toString("latin1")));
          else if (event === "close") res.on("end", () => on() && fn(""));
        },
      };
      cb(r);
      res.resume();
    });
    let sent = false;
    return {
      on: (event: string, fn: (e: unknown) => void) => {
        req.on(event, (e) => on() && fn(e));
      },
      end: (data?: string) => {
        if (sent) return;
        sent = true;
        if (!on()) return void req.destroy();
        req.end(data === undefined ? undefined : Buffer.from(data, "latin1"));
      },
    };
  };
  return {
    get: (opts, cb) => {
      const r = call(opts, cb);
      r.end();
      return r;
    },
    request: call,
  };
}

/** A datagram's fate on the way: how many copies arrive (0: lost, 2: duplicated). */
export type DatagramFate = (dir: "out" | "in", data: Buffer) => number;

/** Espruino reads a datagram into its network chunk (536 bytes, or `recvBufferSize` if larger) after an 8-byte address header: the rest is cut off. */
export const ESPRUINO_UDP_CHUNK = 536;
const UDP_HEADER = 8;

/**
 * `require("dgram")`: a udp4 socket bound on its first send (as Espruino's
 * is), which cuts datagrams longer than Espruino's read size as it does;
 * `fate` loses or duplicates datagrams.
 */
export function dgramModule(p: Power & { fate?: DatagramFate } = {}): EspruinoDgram {
  const on = () => !p.powered || p.powered();
  const copies = (dir: "out" | "in", b: Buffer) => (p.fate ? p.fate(dir, b) : 1);
  return {
    createSocket: (type) => {
      const asked = typeof type === "object" && type.recvBufferSize ? type.recvBufferSize : 0;
      const max = Math.max(ESPRUINO_UDP_CHUNK, asked) - UDP_HEADER;
      const s = dgram.createSocket("udp4");
      const ev = new EventEmitter();
      let open = true;
      s.on("error", () => {});
      s.on("message", (b, rinfo) => {
        const cut = b.subarray(0, max);
        for (let n = copies("in", b); n > 0 && on(); n--) ev.emit("message", toLatin1(cut), { address: rinfo.address, port: rinfo.port, size: cut.length });
      });
      const sock: DgramSocket = {
        on: (event, fn) => {
          ev.on(event, fn);
        },
        send: (data, offset, length, port, address) => {
          if (!open || !on()) return;
          const b = Buffer.from(data.substring(offset, offset + length), "latin1");
          for (let n = copies("out", b); n > 0; n--) s.send(b, port, address);
        },
        close: () => {
          if (!open) return;
          open = false;
          s.close();
          ev.emit("close", "", { address: "", port: 0 });
        },
      };
      return sock;
    },
  };
}

/** The progress store, in RAM that survives the emulated reset; writes fail silently once power is gone. */
export function ramStore(p: Power = {}): Store & { text: string | undefined } {
  const s = {
    text: undefined as string | undefined,
    load: () => s.text,
    save: (t: string | undefined) => {
      if (!p.powered || p.powered()) s.text = t;
    },
  };
  return s;
}
