import type { Clock } from "../hal/clock.js";
import type { Link } from "../hal/link.js";
import type { Crc8 } from "./crc8.js";
import { FrameDecoder, encodeFrame, frameBound } from "./frame.js";
import { OP_INVOKE, OP_ONEWAY, OP_RESULT, ST_NO_UID, ST_TIMEOUT } from "./protocol.js";
import { Reader, Writer } from "./wire.js";

/** An INVOKE (msgId >= 0) or ONEWAY (msgId -1) handler; INVOKEs are answered with `rpc.reply`. */
export type Handler = (args: Reader, msgId: number) => void;
/** Outcome of a call: protocol status (0 = OK) and the returned values. */
export type Done = (status: number, rets: Reader) => void;

/**
 * Both ends of Blynk.NCP RPC over one link: serves the client's UIDs (unknown
 * ones get status 0x13, never silence) and makes one call at a time to the
 * NCP. Buffers are allocated once; a Reader points into the frame buffer and
 * is valid only during the callback.
 */
export class Rpc {
  readonly decoder: FrameDecoder;
  private link_: Link;
  private clock_: Clock;
  private crc8_: Crc8;
  private handlers_: { [uid: number]: Handler } = {};
  private out_: Writer;
  private tx_: Uint8Array;
  private r_ = new Reader();
  private nextId_ = 1;
  private wait_ = -1;
  private done_: Done | undefined;
  private timer_: unknown;

  constructor(o: { link: Link; clock: Clock; crc8: Crc8; maxOut?: number }) {
    this.link_ = o.link;
    this.clock_ = o.clock;
    this.crc8_ = o.crc8;
    this.out_ = new Writer(o.maxOut || 160);
    this.tx_ = new Uint8Array(frameBound(this.out_.b.length));
    this.decoder = new FrameDecoder({ crc8: o.crc8, onFrame: (b, len) => this.onFrame_(b, len) });
    o.link.onData(this.decoder.feed);
  }

  serve(uid: number, h: Handler): void {
    this.handlers_[uid] = h;
  }

  serves(uid: number): boolean {
    return !!this.handlers_[uid];
  }

  /** During a handler: whether its frame's CRC-8 holds (an otaUpdateWrite's is checked only when asked; frame.ts). */
  intact(): boolean {
    return this.decoder.intact();
  }

  get busy(): boolean {
    return this.wait_ >= 0;
  }

  /** Answers INVOKE `msgId`; `rets` appends return values. No-op for ONEWAY. */
  reply(msgId: number, status: number, rets?: (w: Writer) => void): void {
    if (msgId < 0) return;
    const w = this.out_.reset().u16(OP_RESULT).u16(msgId).u8(status);
    if (rets) rets(w);
    this.send_(w);
  }

  /** Calls `uid` on the NCP; false (and no callback) while another call is outstanding. */
  call(uid: number, args: ((w: Writer) => void) | undefined, timeoutMs: number, done: Done): boolean {
    if (this.wait_ >= 0) return false;
    const id = this.nextId_;
    this.nextId_ = (id + 1) & 0xffff || 1;
    const w = this.out_.reset().u16(OP_INVOKE).u16(uid).u16(id);
    if (args) args(w);
    this.wait_ = id;
    this.done_ = done;
    this.timer_ = this.clock_.setTimeout(() => this.finish_(ST_TIMEOUT, this.r_.reset(this.tx_, 0, 0)), timeoutMs);
    this.send_(w);
    return true;
  }

  oneway(uid: number, args?: (w: Writer) => void): void {
    const w = this.out_.reset().u16(OP_ONEWAY).u16(uid);
    if (args) args(w);
    this.send_(w);
  }

  private send_(w: Writer): void {
    if (!w.ok) return;
    const n = encodeFrame(w.b, w.p, this.tx_, this.crc8_);
    this.link_.write(this.tx_.subarray(0, n));
  }

  private finish_(status: number, r: Reader): void {
    const done = this.done_;
    this.clock_.clearTimeout(this.timer_);
    this.wait_ = -1;
    this.done_ = undefined;
    if (done) done(status, r);
  }

  private onFrame_(b: Uint8Array, len: number): void {
    const r = this.r_.reset(b, 0, len);
    const op = r.u16();
    if (op === OP_RESULT) {
      const id = r.u16();
      const status = r.u8();
      // A RESULT for a call given up on (or never made) is dropped.
      if (r.ok && id === this.wait_) this.finish_(status, r);
    } else if (op === OP_INVOKE || op === OP_ONEWAY) {
      const uid = r.u16();
      const id = op === OP_INVOKE ? r.u16() : -1;
      if (!r.ok) return;
      const h = this.handlers_[uid];
      if (h) h(r, id);
      else this.reply(id, ST_NO_UID);
    }
    // Unknown opcodes are ignored, as the protocol says.
  }
}
