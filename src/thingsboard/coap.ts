import { FW_KEYS } from "./attributes.js";
import { CONTENT, codeText, FORMAT_JSON, GET, NOT_FOUND, POST, requestOptions } from "./coap-codec.js";
import type { CoapLink } from "./coap-link.js";
import type { PullTarget, TbSink, TbTransport, ToBytes } from "./ports.js";

/**
 * ThingsBoard's CoAP device API over a CoapLink: attributes by
 * `GET /api/v1/{token}/attributes?sharedKeys=` (call check() to poll, as
 * over HTTP), telemetry by `POST /api/v1/{token}/telemetry` (JSON, one at a
 * time through the link, so fw_state arrives in order), chunks by
 * `GET /fw/{token}?title=&version=&size=&chunk=` (the OtaPackageTransportResource).
 */
export class TbCoap implements TbTransport {
  /** Every request is Confirmable and answered: a report that left has arrived, or the link says it failed. */
  reliable = true;
  private link_: CoapLink;
  private token_: string;
  private toBytes_: ToBytes;
  private sink_: TbSink | undefined;
  /** The last attributes request. */
  private attrs_: unknown;
  /** The last chunk request and its chunk number. */
  private fetch_: unknown;
  private chunk_ = -1;

  constructor(o: { link: CoapLink; token: string; toBytes: ToBytes }) {
    this.link_ = o.link;
    this.token_ = o.token;
    this.toBytes_ = o.toBytes;
  }

  attach(sink: TbSink): void {
    this.sink_ = sink;
  }

  /** No session and no push: this reports the running firmware and asks for the attributes. */
  check(): void {
    if (this.sink_) this.sink_.connected();
  }

  requestAttributes(): void {
    // A poll while the last one is still unacknowledged (the server is silent) adds nothing.
    if (this.link_.unacknowledged(this.attrs_)) return;
    const o = requestOptions(["api", "v1", this.token_, "attributes"], ["sharedKeys=" + FW_KEYS], -1);
    this.attrs_ = this.link_.request(GET, o, "", (code, body) => {
      const sink = this.sink_;
      if (!sink) return;
      // 4.04: the device has none of the keys asked for (JsonCoapAdaptor), so nothing is assigned.
      if (code === NOT_FOUND) return sink.attributes({}, false);
      if (code !== CONTENT) return;
      let v: { shared?: { [key: string]: unknown } } | undefined;
      try {
        v = JSON.parse(body);
      } catch (e) {
        v = undefined;
      }
      if (!v || typeof v !== "object") sink.notJson("attributes response");
      else sink.attributes(v.shared || {}, false);
    });
  }

  telemetry(values: { [key: string]: string }, done?: () => void): void {
    const o = requestOptions(["api", "v1", this.token_, "telemetry"], [], FORMAT_JSON);
    this.link_.request(POST, o, JSON.stringify(values), () => {
      if (done) done();
    });
  }

  begin(): void {}

  fetch(target: PullTarget, chunk: number, size: number): void {
    // The pull asks again after 10 s; a request the link is still retransmitting need not be queued twice.
    if (chunk === this.chunk_ && this.link_.unacknowledged(this.fetch_)) return;
    const q = ["title=" + target.title, "version=" + target.version, "size=" + size, "chunk=" + chunk];
    this.chunk_ = chunk;
    this.fetch_ = this.link_.request(GET, requestOptions(["fw", this.token_], q, -1), "", (code, body) => {
      const sink = this.sink_;
      // 0: no answer; the pull's timer asks again.
      if (!sink || !code) return;
      if (code === CONTENT) sink.chunk(chunk, this.toBytes_(body));
      // 5.00 (a server error) and 4.04 (nothing assigned for a moment, during a re-assignment) can pass.
      else sink.pullFailed("COAP: " + codeText(code), code === NOT_FOUND || code >> 5 === 5);
    });
  }
}
