import type { Clock } from "../hal/clock.js";
import { ACK, CON, type CoapOption, decode, EMPTY, encode, RST } from "./coap-codec.js";
import type { DgramSocket } from "./ports.js";

/** RFC 7252 section 4.8 transmission parameters (the defaults). */
export const ACK_TIMEOUT = 2000;
export const ACK_RANDOM_FACTOR = 1.5;
export const MAX_RETRANSMIT = 4;
/** After an empty ACK, how long a separate response is waited for before the request counts as failed. */
export const SEPARATE_WAIT = 30000;
/** Message ids from the server remembered for de-duplication (RFC 7252 4.5): the last this many. */
export const SEEN = 16;
/** Requests waiting behind the outstanding one; more are refused (answered 0) so a silent server cannot fill the heap. */
export const QUEUE = 8;

/** `code` 0: no answer (every retransmission went unacknowledged, a Reset, or no separate response). */
export type CoapAnswer = (code: number, payload: string) => void;

interface Exchange {
  mid: number;
  token: string;
  data: string;
  tries: number;
  timeout: number;
  timer: unknown;
  answer: CoapAnswer;
  options: CoapOption[];
  code: number;
  payload: string;
}

/**
 * The CoAP message layer of a client (RFC 7252 sections 4 and 5.2), over an
 * Espruino-shaped UDP socket: every request Confirmable, sent one at a time
 * (NSTART 1, at most QUEUE waiting), retransmitted after 2-3 s, doubling, at most 4 times;
 * responses matched by message id (piggybacked in the ACK) or by token
 * (separate, after an empty ACK; a Confirmable one is acknowledged);
 * duplicates of a server message are acknowledged again and not delivered
 * twice; anything unexpected that is Confirmable gets a Reset.
 */
export class CoapLink {
  private s_: DgramSocket;
  private host_: string;
  private port_: number;
  private clock_: Clock;
  private random_: () => number;
  private mid_: number;
  private token_: number;
  private queue_: Exchange[] = [];
  private active_: Exchange | undefined;
  /** Acknowledged with an empty ACK: waiting for the separate response. */
  private waiting_: Exchange[] = [];
  private seen_: number[] = [];
  private closed_ = false;

  constructor(o: { socket: DgramSocket; host: string; port: number; clock: Clock; random?: () => number }) {
    this.s_ = o.socket;
    this.host_ = o.host;
    this.port_ = o.port;
    this.clock_ = o.clock;
    this.random_ = o.random || Math.random;
    // Random starting points: a reset board does not reuse the ids and tokens of its last life.
    this.mid_ = Math.floor(this.random_() * 65536);
    this.token_ = Math.floor(this.random_() * 65536) * 65536;
    o.socket.on("message", (msg) => this.message_(msg));
  }

  /** Queues a Confirmable request; `answer` runs once, with the response's code and payload or with 0. Returns a handle for unacknowledged(). */
  request(code: number, options: CoapOption[], payload: string, answer: CoapAnswer): unknown {
    this.token_ = (this.token_ + 1) % 4294967296;
    const t = this.token_;
    const token = String.fromCharCode((t >>> 24) & 255, (t >> 16) & 255, (t >> 8) & 255, t & 255);
    const ex: Exchange = { mid: 0, token: token, data: "", tries: 0, timeout: 0, timer: undefined, answer: answer, options: options, code: code, payload: payload };
    if (this.queue_.length >= QUEUE) {
      this.clock_.setTimeout(() => answer(0, ""), 0);
      return ex;
    }
    this.queue_.push(ex);
    this.pump_();
    return ex;
  }

  /** True while the request is queued or sent without an acknowledgement yet (its caller need not ask again). */
  unacknowledged(handle: unknown): boolean {
    return this.active_ === handle || this.queue_.indexOf(handle as Exchange) >= 0;
  }

  close(): void {
    this.closed_ = true;
    if (this.active_) this.clock_.clearTimeout(this.active_.timer);
    for (let i = 0; i < this.waiting_.length; i++) this.clock_.clearTimeout(this.waiting_[i].timer);
    this.queue_ = [];
    this.waiting_ = [];
    this.active_ = undefined;
    this.s_.close();
  }

  private pump_(): void {
    if (this.closed_ || this.active_ || !this.queue_.length) return;
    const ex = this.queue_.shift() as Exchange;
    this.mid_ = (this.mid_ + 1) & 65535;
    ex.mid = this.mid_;
    ex.data = encode(CON, ex.code, ex.mid, ex.token, ex.options, ex.payload);
    ex.timeout = ACK_TIMEOUT * (1 + this.random_() * (ACK_RANDOM_FACTOR - 1));
    this.active_ = ex;
    this.transmit_(ex);
  }

  private transmit_(ex: Exchange): void {
    this.send_(ex.data);
    ex.timer = this.clock_.setTimeout(() => this.expired_(ex), ex.timeout);
  }

  private expired_(ex: Exchange): void {
    if (this.active_ !== ex) return;
    if (ex.tries >= MAX_RETRANSMIT) {
      this.active_ = undefined;
      ex.answer(0, "");
      return this.pump_();
    }
    ex.tries++;
    ex.timeout *= 2;
    this.transmit_(ex);
  }

  private send_(data: string): void {
    if (!this.closed_) this.s_.send(data, 0, data.length, this.port_, this.host_);
  }

  private message_(msg: string): void {
    const m = decode(msg);
    if (!m || this.closed_) return;
    if (m.type === ACK || m.type === RST) return this.acknowledged_(m.mid, m.type, m.code, m.token, m.payload);
    // A CON or NON from the server: a separate response, a duplicate of one, or nothing we asked for.
    const dup = this.seen_.indexOf(m.mid) >= 0;
    let ex: Exchange | undefined;
    if (!dup && m.code >= 64) {
      for (let i = 0; i < this.waiting_.length; i++) if (this.waiting_[i].token === m.token) ex = this.waiting_.splice(i, 1)[0];
      // The separate response can overtake a lost empty ACK: it acknowledges the request too (5.2.2).
      if (!ex && this.active_ && this.active_.token === m.token) {
        ex = this.active_;
        this.active_ = undefined;
      }
    }
    if (m.type === CON) this.send_(encode(dup || ex ? ACK : RST, EMPTY, m.mid, "", [], ""));
    if (dup || !ex) return;
    this.seen_.push(m.mid);
    if (this.seen_.length > SEEN) this.seen_.shift();
    this.clock_.clearTimeout(ex.timer);
    ex.answer(m.code, m.payload);
    this.pump_();
  }

  private acknowledged_(mid: number, type: number, code: number, token: string, payload: string): void {
    const ex = this.active_;
    // A duplicate or late ACK (its exchange is over) changes nothing.
    if (!ex || mid !== ex.mid) return;
    this.clock_.clearTimeout(ex.timer);
    this.active_ = undefined;
    if (type === RST || (code !== EMPTY && token !== ex.token)) ex.answer(0, "");
    else if (code !== EMPTY) ex.answer(code, payload);
    else {
      this.waiting_.push(ex);
      ex.timer = this.clock_.setTimeout(() => {
        const i = this.waiting_.indexOf(ex);
        if (i < 0) return;
        this.waiting_.splice(i, 1);
        ex.answer(0, "");
      }, SEPARATE_WAIT);
    }
    this.pump_();
  }
}
