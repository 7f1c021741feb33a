import { FW_KEYS } from "./attributes.js";
import type { EspruinoMqtt, MqttPublish, PullTarget, TbSink, TbTransport, ToBytes } from "./ports.js";

/** The topics ThingsBoard's MQTT transport accepts (these filters exactly; `.../#` is refused). */
export const T_ATTRIBUTES = "v1/devices/me/attributes";
export const T_ATTRIBUTES_RESPONSE = "v1/devices/me/attributes/response/";
export const T_ATTRIBUTES_REQUEST = "v1/devices/me/attributes/request/";
export const T_TELEMETRY = "v1/devices/me/telemetry";
export const T_FW_REQUEST = "v2/fw/request/";
export const T_FW_RESPONSE = "v2/fw/response/";
export const T_FW_ERROR = "v2/fw/error";
export const SUBSCRIPTIONS = [T_ATTRIBUTES, T_ATTRIBUTES_RESPONSE + "+", T_FW_RESPONSE + "+/chunk/+", T_FW_ERROR];

/**
 * ThingsBoard over an Espruino-shaped MQTT client (the board's
 * `require("MQTT")`, or its host stand-in). The access token is the MQTT
 * user name; the caller creates the client and calls connect().
 */
export class TbMqtt implements TbTransport {
  /** A server that closes the link (v2/fw/error) may lose what was published just before. */
  reliable = false;
  private m_: EspruinoMqtt;
  private toBytes_: ToBytes;
  private sink_: TbSink | undefined;
  private attrReq_ = 0;
  /** Each update (and each reconnect during one) pulls under a new requestId: the server pins an id to the package it first served. */
  private requestId_ = 0;

  constructor(m: EspruinoMqtt, toBytes: ToBytes) {
    this.m_ = m;
    this.toBytes_ = toBytes;
    m.on("connected", () => {
      for (let i = 0; i < SUBSCRIPTIONS.length; i++) m.subscribe(SUBSCRIPTIONS[i]);
      this.requestId_++;
      if (this.sink_) this.sink_.connected();
    });
    m.on("publish", (p: MqttPublish) => this.message_(p));
  }

  attach(sink: TbSink): void {
    this.sink_ = sink;
  }

  requestAttributes(): void {
    this.m_.publish(T_ATTRIBUTES_REQUEST + ++this.attrReq_, JSON.stringify({ sharedKeys: FW_KEYS }));
  }

  telemetry(values: { [key: string]: string }, done?: () => void): void {
    this.m_.publish(T_TELEMETRY, JSON.stringify(values));
    if (done) done();
  }

  begin(): void {
    this.requestId_++;
  }

  fetch(target: PullTarget, chunk: number, size: number): void {
    this.m_.publish(T_FW_REQUEST + this.requestId_ + "/chunk/" + chunk, String(size));
  }

  private message_(p: MqttPublish): void {
    const sink = this.sink_;
    if (!sink) return;
    const topic = p.topic;
    if (topic.indexOf(T_FW_RESPONSE) === 0) {
      const parts = topic.split("/");
      // v2/fw/response/{requestId}/chunk/{n}; answers to an older requestId are late, ignore them.
      if (parts.length === 6 && Number(parts[3]) === this.requestId_) sink.chunk(Number(parts[5]), this.toBytes_(p.message));
    } else if (topic === T_FW_ERROR) {
      sink.pullFailed("SERVER: " + p.message);
    } else if (topic === T_ATTRIBUTES || topic.indexOf(T_ATTRIBUTES_RESPONSE) === 0) {
      let v: { [key: string]: unknown } | undefined;
      try {
        v = JSON.parse(p.message);
      } catch (e) {
        v = undefined;
      }
      // A device profile with protobuf payloads answers in protobuf: say so once, instead of waiting forever.
      if (!v || typeof v !== "object") return sink.notJson(topic === T_ATTRIBUTES ? "attributes push" : "attributes response");
      if (topic === T_ATTRIBUTES) sink.attributes(v, true);
      else sink.attributes((v.shared || {}) as { [key: string]: unknown }, false);
    }
  }
}
