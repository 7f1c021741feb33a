import type { OtaEnv } from "../core/open.js";
import { UnsizedSession } from "../core/unsized.js";
import { DfuClient, type DfuClientOptions } from "./client.js";
import type { DfuTransport } from "./ports.js";
import type { EspruinoMqtt } from "../thingsboard/ports.js";

/** The client's options but what startDfu fills in from the board (session, checksums, layout, firmware, clock, mtu). */
export interface DfuStartOptions extends Omit<DfuClientOptions, "session" | "digest" | "layout" | "writeAlign" | "firmware" | "clock" | "mtu"> {
  transport: DfuTransport;
  /** Largest Write asked for; the transport's own limit (t.mtu) wins when smaller. */
  mtu?: number;
  /** The MQTT client under an MQTT transport: connected here, and dialled again 5 s after a drop. */
  mqtt?: EspruinoMqtt;
}

/** Session (size from the image header) and client over one transport; sends the first Status. */
export function startDfu(e: OtaEnv, o: DfuStartOptions): DfuClient {
  const t = o.transport;
  const chunk = Math.min(t.mtu, o.mtu || t.mtu);
  // The options object becomes the client's (fewer bytes on the board than a copy).
  const c = o as DfuStartOptions & DfuClientOptions;
  c.session = new UnsizedSession(e, chunk);
  c.digest = e.digest;
  c.layout = e.layout;
  c.writeAlign = e.flash.status().writeAlign;
  c.firmware = e.boot;
  c.clock = e.clock;
  c.mtu = chunk;
  const client = new DfuClient(c, t);
  const m = o.mqtt;
  if (m) {
    m.on("disconnected", () => e.clock.setTimeout(() => m.connect(), 5000));
    m.connect();
  }
  client.start();
  return client;
}
