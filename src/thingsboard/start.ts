import type { OtaEnv } from "../core/open.js";
import { ResumableSession } from "../core/resume.js";
import { TbClient, type TbClientOptions } from "./client.js";
import type { TbCoap } from "./coap.js";
import type { TbHttp } from "./http.js";
import { TbMqtt } from "./mqtt.js";
import type { EspruinoMqtt, ToBytes } from "./ports.js";

/** The client's options but what startTb fills in (session, firmware, clock: from the board), and the way to the server. */
export interface TbStartOptions extends Omit<TbClientOptions, "session" | "firmware" | "clock"> {
  /** An MQTT client (Espruino's MQTT module's), or an HTTP or CoAP transport (polled with check()). */
  mqtt?: EspruinoMqtt;
  http?: TbHttp;
  coap?: TbCoap;
  toBytes: ToBytes;
  /** False once the board is off or stopped: a dropped MQTT link is not dialled again (default: always on). */
  live?: () => boolean;
}

export interface TbStarted {
  session: ResumableSession;
  client: TbClient;
  /** HTTP and CoAP: report and ask for the attributes again (there is no push); MQTT: nothing. */
  check(): void;
}

/** Session and client over one way to the server; connects (MQTT, dialling again 5 s after a drop) or polls once. */
export function startTb(e: OtaEnv, o: TbStartOptions): TbStarted {
  const session = new ResumableSession(e, o.chunkSize);
  // The options object becomes the client's (fewer bytes on the board than a copy).
  const c = o as TbStartOptions & TbClientOptions;
  c.session = session;
  c.firmware = e.boot;
  c.clock = e.clock;
  const m = o.mqtt;
  const h = o.http;
  const client = new TbClient(c, m ? new TbMqtt(m, o.toBytes) : h || (o.coap as TbCoap));
  const check = () => (h ? h.check() : o.coap && o.coap.check());
  const live = () => !o.live || o.live();
  if (m) {
    m.on("disconnected", () => live() && e.clock.setTimeout(() => live() && m.connect(), 5000));
    m.connect();
  } else check();
  return { session: session, client: client, check: check };
}
