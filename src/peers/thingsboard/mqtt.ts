import { serveBroker } from "../listen.js";
import { Aedes, type Client } from "aedes";
import { MAX_PAYLOAD, type TbPackage, type TbSim } from "./server.js";

/** The subscription filters ThingsBoard's MQTT transport accepts, exactly; anything else gets SUBACK 0x80. */
export const ACCEPTED_FILTERS = [
  "v1/devices/me/attributes", "v1/devices/me/attributes/response/+", "v1/devices/me/rpc/request/+",
  "v1/devices/me/rpc/response/+", "v2/fw/response/+/chunk/+", "v2/fw/error", "v2/sw/response/+/chunk/+", "v2/sw/error",
];

interface Conn {
  subs: Set<string>;
  /** requestId → the package it was first served from, and the last chunk size asked for. */
  pins: Map<number, { pkg: TbPackage; size: number }>;
}

/**
 * ThingsBoard's MQTT device API on an aedes broker: the access token is the
 * user name; device publishes are handled here, never routed to others;
 * answers go only to the asking connection and only on a topic it subscribed.
 */
export async function startSimMqtt(sim: TbSim, port: number, host: string): Promise<{ port: number; close: () => Promise<void> }> {
  const conns = new Map<Client, Conn>();
  const broker = new Aedes({ heartbeatInterval: 3600000 });
  await broker.listen();
  // Created on first sight: aedes may authorize a SUBSCRIBE before it emits "client".
  const connOf = (c: Client): Conn => {
    let conn = conns.get(c);
    if (!conn) conns.set(c, (conn = { subs: new Set(), pins: new Map() }));
    return conn;
  };
  const deliver: Deliver = (c, topic, payload, then) => {
    const conn = conns.get(c);
    if (!conn || ![...conn.subs].some((f) => matches(f, topic))) return then && then();
    c.publish({ cmd: "publish", topic: topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, () => then && then());
  };
  broker.authenticate = (client, username, password, done) => {
    if (username === sim.token) return done(null, true);
    const e = Object.assign(new Error("bad access token"), { returnCode: 5 });
    done(e as Parameters<typeof done>[0], false);
  };
  broker.on("clientDisconnect", (c) => conns.delete(c));
  broker.authorizeSubscribe = (client, sub, done) => {
    if (!ACCEPTED_FILTERS.includes(sub.topic)) return done(null, null);
    connOf(client).subs.add(sub.topic);
    done(null, sub);
  };
  broker.authorizePublish = (client, packet, done) => {
    done(null);
    if (client) setImmediate(() => onPublish(sim, client, connOf(client), packet.topic, Buffer.from(packet.payload), deliver));
  };
  sim.on("attributes", (values) => {
    for (const c of conns.keys()) deliver(c, "v1/devices/me/attributes", encodeAttributes(sim, values));
  });
  return serveBroker(broker, port, host, () => conns.keys());
}

function matches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  return f.length === t.length && f.every((p, i) => p === "+" || p === t[i]);
}

type Deliver = (c: Client, topic: string, payload: Uint8Array | string, then?: () => void) => void;

function onPublish(sim: TbSim, c: Client, conn: Conn, topic: string, payload: Buffer, deliver: Deliver): void {
  const text = payload.toString("utf8");
  let m: RegExpMatchArray | null;
  if (topic === "v1/devices/me/telemetry") {
    try {
      sim.logTelemetry(JSON.parse(text));
    } catch (e) {
      // The server drops telemetry it cannot parse.
    }
  } else if ((m = topic.match(/^v1\/devices\/me\/attributes\/request\/(\d+)$/))) {
    let keys: string[] = [];
    try {
      keys = String(JSON.parse(text).sharedKeys || "").split(",");
    } catch (e) {
      return;
    }
    const all = sim.shared();
    const shared: { [key: string]: unknown } = {};
    for (const k of keys) if (all[k] !== undefined) shared[k] = all[k];
    deliver(c, "v1/devices/me/attributes/response/" + m[1], encodeAttributes(sim, { shared: shared }));
  } else if ((m = topic.match(/^v2\/fw\/request\/(\d+)\/chunk\/(\d+)$/))) {
    const rid = Number(m[1]);
    const n = Number(m[2]);
    const fail = (status: string) => {
      deliver(c, "v2/fw/error", status, () => c.close());
    };
    // Empty payload: the size remembered for this requestId; 0: the whole file.
    const pin = conn.pins.get(rid);
    const size = text === "" ? (pin ? pin.size : 0) : Number(text);
    if (!(size >= 0) || !Number.isInteger(size)) return fail("FAILURE");
    if (size > MAX_PAYLOAD) return fail("PAYLOAD_TOO_LARGE");
    const pkg = pin ? pin.pkg : sim.pkg;
    if (!pkg) return fail("NOT_FOUND");
    // A URL package has no data in the server's store.
    if (pkg.url) return fail("FAILURE");
    conn.pins.set(rid, { pkg: pkg, size: size });
    const stall = sim.stalls(n);
    sim.logRequest({ via: "mqtt", requestId: rid, chunk: n, size: size, answered: !stall });
    if (!stall) deliver(c, "v2/fw/response/" + rid + "/chunk/" + n, sim.slice(pkg, size, n));
  }
}

/**
 * An attributes message in the device profile's payload type. PROTOBUF: the
 * keys and values as transport.proto's KeyValueProto (1: key, 2: type,
 * 5: string_v), enough to be what such a profile sends: not JSON.
 */
export function encodeAttributes(sim: TbSim, msg: { [key: string]: unknown }): Uint8Array | string {
  if (sim.payloadType === "JSON") return JSON.stringify(msg);
  const out: number[] = [];
  const field = (tag: number, b: number[]) => out.push((tag << 3) | 2, b.length, ...b);
  const bytes = (v: unknown) => [...Buffer.from(String(v).slice(0, 40), "utf8")];
  const flat = (msg.shared || msg) as { [key: string]: unknown };
  for (const k of Object.keys(flat)) {
    const kv = [10, bytes(k).length, ...bytes(k), 16, 3, 42, bytes(flat[k]).length, ...bytes(flat[k])];
    field(1, kv);
  }
  return new Uint8Array(out);
}
