import * as http from "node:http";
import { Aedes, type Client } from "aedes";
import type { Command } from "../../drogue/protocol.js";
import { listen, serveBroker } from "../listen.js";
import { commandToCbor, type HostStatus, statusFromCbor } from "./codec.js";

export type Answer = (s: HostStatus, device: string) => Command[];

/**
 * Drogue Cloud's HTTP endpoint as the device sees it: `POST /v1/dfu` with a
 * CBOR Status, the Command in CBOR as the reply. No answer (a lost one) is a
 * reset connection; two answers cannot ride one reply, so the second is
 * given to the next request instead (a stale, doubled Write).
 */
export async function startHttp(answer: Answer, port: number, host: string): Promise<{ port: number; requests: number; bad: number; close: () => Promise<void> }> {
  let held: Command | undefined;
  const st = { port: 0, requests: 0, bad: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || !(req.url || "").startsWith("/v1/dfu")) {
        res.statusCode = 404;
        return void res.end();
      }
      st.requests++;
      let s: HostStatus;
      try {
        s = statusFromCbor(new Uint8Array(Buffer.concat(chunks)));
      } catch (e) {
        st.bad++;
        res.statusCode = 400;
        return void res.end(String((e as Error).message));
      }
      const user = Buffer.from((req.headers.authorization || "").replace(/^Basic /, ""), "base64").toString();
      let out = answer(s, user.split(":")[0] || "device");
      if (held) {
        // The doubled Write rides the next reply, in answer to that Status.
        out = [{ ...held, cid: s.cid }];
        held = undefined;
      }
      if (!out.length) return void req.socket.destroy();
      if (out.length > 1) held = out[1];
      res.setHeader("Content-Type", "application/cbor");
      res.end(Buffer.from(commandToCbor(out[0])));
    });
  });
  await listen(server, port, host, "HTTP");
  const a = server.address();
  st.port = typeof a === "object" && a ? a.port : port;
  st.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return st;
}

/**
 * Drogue Cloud's MQTT endpoint on an aedes broker: a device (user name
 * `device@app`) publishes its Status on `dfu`; each answer goes to
 * `command/{app}/{device}/dfu`.
 */
export async function startMqtt(answer: Answer, port: number, host: string): Promise<{ port: number; statuses: number; close: () => Promise<void> }> {
  const broker = new Aedes({ heartbeatInterval: 3600000 });
  await broker.listen();
  const users = new Map<Client, string>();
  const st = { port: 0, statuses: 0, close: async () => {} };
  broker.authenticate = (client, username, password, done) => {
    users.set(client, username || client.id + "@app");
    done(null, true);
  };
  broker.authorizePublish = (client, packet, done) => {
    done(null);
    if (!client || packet.topic !== "dfu") return;
    const who = users.get(client) || "device@app";
    const [device, app] = who.split("@");
    const payload = new Uint8Array(Buffer.from(packet.payload));
    setImmediate(() => {
      let s: HostStatus;
      try {
        s = statusFromCbor(payload);
      } catch (e) {
        return;
      }
      st.statuses++;
      for (const c of answer(s, device)) {
        broker.publish({ cmd: "publish", topic: "command/" + (app || "app") + "/" + device + "/dfu", payload: Buffer.from(commandToCbor(c)), qos: 0, retain: false, dup: false }, () => {});
      }
    });
  };
  const served = await serveBroker(broker, port, host, () => users.keys());
  st.port = served.port;
  st.close = served.close;
  return st;
}
