import { errorName, OK } from "../core/errors.js";
import { RECEIVING } from "../core/session.js";
import type { Checkpoint, ResumableSession as Session } from "../core/resume.js";
import type { Clock } from "../hal/clock.js";

/** A client's settings for its pulls: a transport client passes its own options object as it is. */
export interface PullSettings {
  session: Session;
  clock: Clock;
  /** Bytes a request asks for (the last one fewer). */
  chunkSize: number;
  /** A request unanswered this long (default 10 s) is sent again; the session's stall limit ends the pull. */
  requestTimeoutMs?: number;
  /** Bytes between saved checkpoints (default 4096; each costs a CRC-32 over the new bytes and a store write). */
  checkpointEvery?: number;
  /** Transient refusals: this many in a row, spanning at least `retryForMs`, end the pull (defaults 8 and 120 s). */
  retryAttempts?: number;
  retryForMs?: number;
}

/** One download. */
export interface PullOptions {
  /** Bytes in the whole file. */
  size: number;
  /**
   * Requests start at multiples of `chunkSize` (a server addressed by chunk
   * index, as ThingsBoard's): a resume inside a chunk asks for the whole
   * chunk and skips the bytes already staged.
   */
  aligned?: boolean;
  /** Asks for `length` bytes at `offset`; the answer goes to data(offset, bytes). */
  fetch: (offset: number, length: number) => void;
  onCheckpoint: (c: Checkpoint) => void;
  /** error "" = every byte is in. `keep`: the staged prefix is still good (the server or link failed, not the data). */
  onEnd: (error: string, keep: boolean) => void;
}

/**
 * Pulls a file of `size` bytes by byte offset, one request at a time, from
 * wherever the session stands, into the session. An answer must hold exactly
 * the bytes asked for (the size says where the end is), else it is refused
 * instead of trusted; errors name the chunk as offset / chunkSize.
 */
export class Pull {
  private s_: PullSettings;
  private o_: PullOptions;
  private next_: number;
  /** Offset and length of the outstanding request (at_ -1: none yet). */
  private at_ = -1;
  private want_!: number;
  private timer_: unknown;
  private saved_: number;
  // No initial values where none is read first: each costs bundle bytes.
  private done_?: boolean;
  /** Transient refusals of the current request in a row, and when the first of them came. */
  private tries_ = 0;
  private firstTry_!: number;

  constructor(s: PullSettings, o: PullOptions) {
    this.s_ = s;
    this.o_ = o;
    this.next_ = s.session.received;
    this.saved_ = this.next_;
  }

  start(): void {
    this.request_();
  }

  /** Sends the outstanding request again (after a reconnect: the old one is lost). */
  resend(): void {
    if (!this.done_ && this.at_ >= 0) this.send_();
  }

  /** Ends the pull without a report (the package was unassigned or replaced). */
  stop(): void {
    this.done_ = true;
    this.disarm_();
  }

  fail(error: string, keep: boolean): void {
    if (this.done_) return;
    this.disarm_();
    this.s_.session.cancel();
    this.end_(error, keep);
  }

  /**
   * A refusal that can pass (HTTP 500 or 404): the same request goes again
   * after 1 s, 2 s, 4 s, ... up to 60 s; only `retryAttempts` in a row over
   * at least `retryForMs` end the pull (the staged prefix is kept).
   */
  retry(error: string): void {
    const o = this.s_;
    if (this.done_ || this.at_ < 0) return;
    const now = o.clock.now();
    if (!this.tries_) this.firstTry_ = now;
    this.tries_++;
    if (this.tries_ >= (o.retryAttempts || 8) && now - this.firstTry_ >= (o.retryForMs === undefined ? 120000 : o.retryForMs)) return this.fail(error, true);
    this.disarm_();
    // Waiting out a backoff is not a stall: the session is touched again when the answer comes.
    this.timer_ = o.clock.setTimeout(() => this.send_(), Math.min(60000, 1000 * Math.pow(2, this.tries_ - 1)));
  }

  /** The answer to the request at `offset`. */
  data(offset: number, data: Uint8Array): void {
    const s = this.s_;
    const o = this.o_;
    // A second answer to a resent request, or one from before a reconnect.
    if (this.done_ || offset !== this.at_) return;
    const n = Math.floor(offset / s.chunkSize);
    if (data.length === 0) return this.fail("EMPTY_CHUNK: " + n, false);
    if (data.length !== this.want_) return this.fail("CHUNK_LENGTH: " + n + " has " + data.length + " bytes, not " + this.want_, false);
    // An aligned resume can restart inside a chunk: the bytes before `next` are already staged.
    const part = this.next_ > offset ? data.subarray(this.next_ - offset) : data;
    const code = s.session.write(this.next_, part);
    if (code !== OK) {
      if (s.session.state === RECEIVING) s.session.cancel();
      return this.end_(errorName(code), false);
    }
    this.next_ += part.length;
    this.tries_ = 0;
    if (this.next_ - this.saved_ >= (s.checkpointEvery || 4096) && this.next_ < o.size) {
      const c = s.session.checkpoint();
      if (c.bytes > this.saved_) {
        this.saved_ = c.bytes;
        o.onCheckpoint(c);
      }
    }
    this.request_();
  }

  private request_(): void {
    const o = this.o_;
    const size = this.s_.chunkSize;
    if (this.next_ >= o.size) return this.end_("", true);
    const at = o.aligned ? this.next_ - (this.next_ % size) : this.next_;
    this.at_ = at;
    this.want_ = Math.min(size, o.size - at);
    this.send_();
  }

  private send_(): void {
    this.disarm_();
    this.timer_ = this.s_.clock.setTimeout(() => this.timeout_(), this.s_.requestTimeoutMs || 10000);
    this.o_.fetch(this.at_, this.want_);
  }

  private timeout_(): void {
    this.timer_ = undefined;
    if (this.done_) return;
    // The session's own clock decides when silence becomes a stall (60 s by default).
    const code = this.s_.session.tick(this.s_.clock.now());
    if (code !== OK) return this.end_(errorName(code), true);
    this.send_();
  }

  private disarm_(): void {
    if (this.timer_ !== undefined) this.s_.clock.clearTimeout(this.timer_);
    this.timer_ = undefined;
  }

  private end_(error: string, keep: boolean): void {
    this.done_ = true;
    this.disarm_();
    this.o_.onEnd(error, keep);
  }
}
