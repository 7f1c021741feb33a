import { errorName, OK } from "../core/errors.js";
import { RECEIVING } from "../core/session.js";
import type { Checkpoint, ResumableSession as Session } from "../core/resume.js";
import type { Clock } from "../hal/clock.js";
import type { FwTarget } from "./attributes.js";
import type { TbTransport } from "./ports.js";

export interface PullOptions {
  session: Session;
  transport: TbTransport;
  clock: Clock;
  /** The CRC-32 the session checks chunks with (ThingsBoard sends none, so we compute it). */
  crc32: (data: Uint8Array) => number;
  target: FwTarget;
  chunkSize: number;
  /** A request unanswered this long is sent again; the session's stall limit ends the pull. */
  requestTimeoutMs: number;
  /** Bytes between saved checkpoints (each costs a CRC-32 over the staged prefix and a store write). */
  checkpointEvery: number;
  onCheckpoint: (c: Checkpoint) => void;
  /** Transient refusals: this many in a row, spanning at least `retryForMs`, end the pull (defaults 8 and 120 s). */
  retryAttempts?: number;
  retryForMs?: number;
  /** error "" = every byte is in. `keep`: the staged prefix is still good (the server or link failed, not the data). */
  onEnd: (error: string, keep: boolean) => void;
}

/**
 * Pulls chunks n = 0, 1, ... of `chunkSize` bytes (chunk n is bytes
 * [n*size, (n+1)*size) of the file) from wherever the session stands, one
 * request at a time, into the session. ThingsBoard answers a chunk past the
 * end with an empty payload and the last one short; fw_size says where the
 * end is, so a reply of any other length is refused instead of trusted.
 */
export class Pull {
  private o_: PullOptions;
  private next_: number;
  private chunk_ = -1;
  private timer_: unknown;
  private saved_: number;
  private done_ = false;
  /** Transient refusals of the current chunk in a row, and when the first of them came. */
  private tries_ = 0;
  private firstTry_ = 0;

  constructor(o: PullOptions) {
    this.o_ = o;
    this.next_ = o.session.received;
    this.saved_ = this.next_;
  }

  /** Offset of the next byte wanted (where a resumed pull started, before any chunk). */
  get next(): number {
    return this.next_;
  }

  start(): void {
    this.o_.transport.begin();
    this.request_();
  }

  /** Sends the outstanding request again (after a reconnect: the old one is lost). */
  resend(): void {
    if (!this.done_ && this.chunk_ >= 0) this.send_();
  }

  /** Ends the pull without a report (the package was unassigned or replaced). */
  stop(): void {
    this.done_ = true;
    this.disarm_();
  }

  fail(error: string, keep: boolean): void {
    if (this.done_) return;
    this.disarm_();
    this.o_.session.cancel();
    this.end_(error, keep);
  }

  /**
   * A refusal that can pass (HTTP 500 or 404): the same chunk is asked for
   * again after 1 s, 2 s, 4 s, ... up to 60 s; only `retryAttempts` in a row
   * over at least `retryForMs` end the pull (the staged prefix is kept).
   */
  retry(error: string): void {
    const o = this.o_;
    if (this.done_ || this.chunk_ < 0) return;
    const now = o.clock.now();
    if (!this.tries_) this.firstTry_ = now;
    this.tries_++;
    if (this.tries_ >= (o.retryAttempts || 8) && now - this.firstTry_ >= (o.retryForMs === undefined ? 120000 : o.retryForMs)) return this.fail(error, true);
    this.disarm_();
    // Waiting out a backoff is not a stall: the session is touched again when the chunk comes.
    this.timer_ = o.clock.setTimeout(() => this.send_(), Math.min(60000, 1000 * Math.pow(2, this.tries_ - 1)));
  }

  chunk(n: number, data: Uint8Array): void {
    const o = this.o_;
    // A second answer to a resent request, or one from before a reconnect.
    if (this.done_ || n !== this.chunk_) return;
    const start = n * o.chunkSize;
    const want = Math.min(o.chunkSize, o.target.size - start);
    if (data.length === 0) return this.fail("EMPTY_CHUNK: " + n, false);
    if (data.length !== want) return this.fail("CHUNK_LENGTH: " + n + " has " + data.length + " bytes, not " + want, false);
    // A resume can restart inside a chunk: the bytes before `next` are already staged.
    const part = this.next_ > start ? data.subarray(this.next_ - start) : data;
    const code = o.session.write(this.next_, part);
    if (code !== OK) {
      if (o.session.state === RECEIVING) o.session.cancel();
      return this.end_(errorName(code), false);
    }
    this.next_ += part.length;
    this.tries_ = 0;
    if (this.next_ - this.saved_ >= o.checkpointEvery && this.next_ < o.target.size) {
      const c = o.session.checkpoint();
      if (c.bytes > this.saved_) {
        this.saved_ = c.bytes;
        o.onCheckpoint(c);
      }
    }
    this.request_();
  }

  private request_(): void {
    if (this.next_ >= this.o_.target.size) return this.end_("", true);
    this.chunk_ = Math.floor(this.next_ / this.o_.chunkSize);
    this.send_();
  }

  private send_(): void {
    const o = this.o_;
    this.disarm_();
    this.timer_ = o.clock.setTimeout(() => this.timeout_(), o.requestTimeoutMs);
    o.transport.fetch(o.target, this.chunk_, o.chunkSize);
  }

  private timeout_(): void {
    this.timer_ = undefined;
    if (this.done_) return;
    // The session's own clock decides when silence becomes a stall (60 s by default).
    const code = this.o_.session.tick(this.o_.clock.now());
    if (code !== OK) return this.end_(errorName(code), true);
    this.send_();
  }

  private disarm_(): void {
    if (this.timer_ !== undefined) this.o_.clock.clearTimeout(this.timer_);
    this.timer_ = undefined;
  }

  private end_(error: string, keep: boolean): void {
    this.done_ = true;
    this.disarm_();
    this.o_.onEnd(error, keep);
  }
}
