import type { Command, Status } from "./protocol.js";

/*
 * What the Drogue client needs from outside. The Espruino module shapes
 * (http, MQTT, Storage-like store) are the ThingsBoard transport's
 * (src/thingsboard/ports.ts), so both run over the same host stand-ins.
 */
export type { EspruinoHttp, EspruinoMqtt, HttpResponse, MqttPublish, ToBytes } from "../thingsboard/ports.js";
export type { Store } from "../transport/store.js";

/** What a transport hands the client: a decoded Command, or why an answer could not be decoded. */
export interface DfuSink {
  command(c: Command): void;
  garbled(why: string): void;
}

/** Serial, HTTP or MQTT: a Status goes out, a Command comes back to the sink. */
export interface DfuTransport {
  attach(sink: DfuSink): void;
  send(s: Status): void;
  /** Largest Write data this transport carries (serial: 968, drgdfu's MTU). */
  mtu: number;
}

/** Bytes to the binary String that Espruino's http/MQTT modules send (E.toString on the board). */
export type ToText = (b: Uint8Array) => string;
