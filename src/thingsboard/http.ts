import { FW_KEYS } from "./attributes.js";
import type { EspruinoHttp, HttpResponse, PullTarget, TbSink, TbTransport, ToBytes } from "./ports.js";

/**
 * ThingsBoard's HTTP device API over an Espruino-shaped `require("http")`:
 * attributes by GET (call check() to poll; HTTP has no push), telemetry by
 * POST one at a time so fw_state arrives in order, chunks by
 * `GET /api/v1/{token}/firmware?title=&version=&size=&chunk=`.
 */
export class TbHttp implements TbTransport {
  /** Each POST is answered: a report that left has arrived. */
  reliable = true;
  private h_: EspruinoHttp;
  private host_: string;
  private port_: number;
  private token_: string;
  private toBytes_: ToBytes;
  private sink_: TbSink | undefined;
  private queue_: { body: string; done?: () => void }[] = [];
  private posting_ = false;

  constructor(o: { http: EspruinoHttp; host: string; port: number; token: string; toBytes: ToBytes }) {
    this.h_ = o.http;
    this.host_ = o.host;
    this.port_ = o.port;
    this.token_ = o.token;
    this.toBytes_ = o.toBytes;
  }

  attach(sink: TbSink): void {
    this.sink_ = sink;
  }

  /** HTTP has no connection: this reports the running firmware and asks for the attributes. */
  check(): void {
    if (this.sink_) this.sink_.connected();
  }

  requestAttributes(): void {
    this.get_("/attributes?sharedKeys=" + FW_KEYS, (status, body) => {
      if (status !== 200 || !this.sink_) return;
      let v: { shared?: { [key: string]: unknown } } | undefined;
      try {
        v = JSON.parse(body);
      } catch (e) {
        v = undefined;
      }
      if (!v || typeof v !== "object") this.sink_.notJson("attributes response");
      else this.sink_.attributes(v.shared || {}, false);
    });
  }

  telemetry(values: { [key: string]: string }, done?: () => void): void {
    this.queue_.push({ body: JSON.stringify(values), done: done });
    this.post_();
  }

  begin(): void {}

  fetch(target: PullTarget, chunk: number, size: number): void {
    const q = "/firmware?title=" + encodeURIComponent(target.title) + "&version=" + encodeURIComponent(target.version) +
      "&size=" + size + "&chunk=" + chunk;
    this.get_(q, (status, body) => {
      const sink = this.sink_;
      if (!sink) return;
      // 0 = the request itself failed: the pull's timer sends it again.
      if (status === 200) sink.chunk(chunk, this.toBytes_(body));
      // 500 (a server error, or the per-device rate limit every chunk GET passes) and 404 (during a re-assignment) can pass.
      else if (status) sink.pullFailed("HTTP: " + status, status === 500 || status === 404);
    });
  }

  private get_(path: string, cb: (status: number, body: string) => void): void {
    const req = this.h_.get({ host: this.host_, port: this.port_, path: "/api/v1/" + this.token_ + path }, (res) => this.collect_(res, cb));
    req.on("error", () => cb(0, ""));
  }

  private collect_(res: HttpResponse, cb: (status: number, body: string) => void): void {
    let body = "";
    res.on("data", (d) => {
      body += d;
    });
    res.on("close", () => cb(Number(res.statusCode), body));
  }

  private post_(): void {
    if (this.posting_ || !this.queue_.length) return;
    const item = this.queue_[0];
    this.posting_ = true;
    const next = () => {
      this.queue_.shift();
      this.posting_ = false;
      if (item.done) item.done();
      this.post_();
    };
    const req = this.h_.request({
      host: this.host_, port: this.port_, path: "/api/v1/" + this.token_ + "/telemetry", method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": item.body.length },
    }, (res) => this.collect_(res, next));
    req.on("error", next);
    req.end(item.body);
  }
}
