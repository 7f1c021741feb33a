import { CborWriter, cborDecode, commandFromCbor, encodeStatusCbor } from "./cbor.js";
import type { DfuSink, DfuTransport, EspruinoHttp, HttpResponse, ToBytes, ToText } from "./ports.js";
import { type Status, WAIT } from "./protocol.js";

/** drogue-device's HTTP updater path: ct = seconds the cloud may hold the request for a command. */
export const DFU_PATH = "/v1/dfu?ct=30";

/**
 * Status by `POST {cloud}/v1/dfu?ct=30` as application/cbor (drgdfu
 * src/firmware.rs:46-63, drogue-device's HTTP updater); the reply's body is
 * the Command in CBOR, an empty one means Wait(10).
 */
export class DfuHttp implements DfuTransport {
  mtu: number;
  private o_: { http: EspruinoHttp; host: string; port: number; auth?: string; toBytes: ToBytes; toText: ToText; path?: string };
  private w_ = new CborWriter(96);
  private sink_: DfuSink | undefined;

  /** `auth`: the Authorization header's value ("Basic " + btoa(user + ":" + password)), if the cloud wants one. */
  constructor(o: { http: EspruinoHttp; host: string; port: number; auth?: string; toBytes: ToBytes; toText: ToText; mtu: number; path?: string }) {
    this.o_ = o;
    this.mtu = o.mtu;
  }

  attach(sink: DfuSink): void {
    this.sink_ = sink;
  }

  send(s: Status): void {
    const o = this.o_;
    const body = o.toText(encodeStatusCbor(this.w_, s));
    const headers: { [name: string]: string | number } = { "Content-Type": "application/cbor", "Content-Length": body.length };
    if (o.auth) headers.Authorization = o.auth;
    const req = o.http.request({ host: o.host, port: o.port, path: o.path || DFU_PATH, method: "POST", headers: headers }, (res) => this.reply_(res));
    req.on("error", () => this.sink_ && this.sink_.garbled("HTTP: no answer"));
    req.end(body);
  }

  private reply_(res: HttpResponse): void {
    let body = "";
    res.on("data", (d) => {
      body += d;
    });
    res.on("close", () => {
      const sink = this.sink_;
      if (!sink) return;
      const st = Number(res.statusCode);
      if (st < 200 || st > 299) return sink.garbled("HTTP: " + st);
      if (!body.length) return sink.command({ kind: WAIT, cid: null, poll: 10 });
      let c;
      try {
        c = commandFromCbor(cborDecode(this.o_.toBytes(body)));
      } catch (e) {
        return sink.garbled((e as Error).message);
      }
      sink.command(c);
    });
  }
}
