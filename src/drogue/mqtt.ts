import { CborWriter, cborDecode, commandFromCbor, encodeStatusCbor } from "./cbor.js";
import type { DfuSink, DfuTransport, EspruinoMqtt, MqttPublish, ToBytes, ToText } from "./ports.js";
import type { Status } from "./protocol.js";

/** Drogue Cloud's MQTT endpoint: Status published on channel `dfu`, Commands on `command/{app}/{device}/dfu`. */
export const DFU_CHANNEL = "dfu";
export function commandTopic(app: string, device: string): string {
  return "command/" + app + "/" + device + "/dfu";
}

/**
 * Status and Command in CBOR over an Espruino-shaped MQTT client (the
 * caller creates it, with user name `device@app`, and connects). A Status
 * asked for while the link is down goes out once it is up.
 */
export class DfuMqtt implements DfuTransport {
  mtu: number;
  private m_: EspruinoMqtt;
  private topic_: string;
  private toBytes_: ToBytes;
  private toText_: ToText;
  private w_ = new CborWriter(96);
  private sink_: DfuSink | undefined;
  private up_ = false;
  private pending_: string | undefined;

  constructor(m: EspruinoMqtt, o: { app: string; device: string; toBytes: ToBytes; toText: ToText; mtu: number }) {
    this.m_ = m;
    this.mtu = o.mtu;
    this.topic_ = commandTopic(o.app, o.device);
    this.toBytes_ = o.toBytes;
    this.toText_ = o.toText;
    m.on("connected", () => {
      this.up_ = true;
      m.subscribe(this.topic_);
      const p = this.pending_;
      this.pending_ = undefined;
      if (p !== undefined) m.publish(DFU_CHANNEL, p);
    });
    m.on("disconnected", () => {
      this.up_ = false;
    });
    m.on("publish", (p: MqttPublish) => this.message_(p));
  }

  attach(sink: DfuSink): void {
    this.sink_ = sink;
  }

  send(s: Status): void {
    const body = this.toText_(encodeStatusCbor(this.w_, s));
    if (this.up_) this.m_.publish(DFU_CHANNEL, body);
    else this.pending_ = body;
  }

  private message_(p: MqttPublish): void {
    const sink = this.sink_;
    if (!sink || p.topic !== this.topic_) return;
    let c;
    try {
      c = commandFromCbor(cborDecode(this.toBytes_(p.message)));
    } catch (e) {
      return sink.garbled((e as Error).message);
    }
    sink.command(c);
  }
}
