import { E_DIGEST, E_OFFSET, E_STATE, OK } from "../core/errors.js";
import type { ResumableSession } from "../core/resume.js";
import { RECEIVING, STAGED } from "../core/session.js";
import { SIZE_FROM_HEADER } from "../core/unsized.js";
import type { Layout } from "../core/layout.js";
import { confirmedSlot, onTrial } from "../core/state.js";
import type { Clock } from "../hal/clock.js";
import type { Digest } from "../hal/digest.js";
import type { Store } from "../transport/store.js";
import type { DfuSink, DfuTransport } from "./ports.js";
import { loadRecord } from "../transport/record.js";
import { type Progress, saveProgress } from "./progress.js";
import { asciiText, type Command, type Status, SWAP, SYNC, WAIT, WRITE } from "./protocol.js";

/** Bytes of a segment of the progress chain (see checkpoint_). */
const SEG = 4096;

export interface DfuClientOptions {
  session: ResumableSession;
  /** The session's Digest, layout and write alignment: the progress chain reads the staged bytes. */
  digest: Digest;
  layout: Layout;
  writeAlign: number;
  /** The running image's header type and version: the version is what Status reports. */
  firmware: { type: string; version: string };
  /** Confirms the running image (boot/confirm.ts): called on the Sync that names its version, not before. */
  confirm: () => boolean;
  /** Called once a Swap was accepted (the new image is pending). */
  reboot: () => void;
  store: Store;
  clock: Clock;
  /** Largest Write this device takes (the session's chunkMax); reported as Status.mtu. */
  mtu: number;
  /** No answer to a Status for this long: sent again (embedded-update's updater: 15 s). */
  timeoutMs?: number;
  /** A download's progress is saved every this many bytes (default 4096). */
  checkpointEvery?: number;
  /** Seconds to the next Status after a Sync without poll (default 300). */
  syncPoll?: number;
  /** Pause after a refusal or an answer that did not decode (default 1 s). */
  backoffMs?: number;
  /** A version that failed is not taken again for this long, doubling per failure up to 1 h (default 60 s). */
  retryAfterMs?: number;
  /** What happens, for logs and the simulators: status, start, write, duplicate, stale, refused, failed, swap, synced, confirmed, resumed, rolledBack, declined, garbled, timeout. */
  onEvent?: (name: string, a?: number | string, b?: number | string) => void;
}

/**
 * The device side of Drogue IoT's update protocol on the core session
 * (embedded-update src/updater.rs): send Status, do what the one Command in
 * answer says, send Status again. A Write at offset 0 starts an update (size
 * unknown: the image header fixes it), each Write must be at the offset the
 * last Status named, Swap finishes (SHA-256 of the file when the service
 * sends one) and marks the image pending, and the new image confirms itself
 * only on the Sync that names its version. README "Drogue IoT" and
 * docs/drogue.md have the tables.
 */
export class DfuClient implements DfuSink {
  /** The code of the last refusal that ended an update (OK: none). */
  lastError = OK;
  /** The service said Sync for the running version. */
  synced = false;
  private o_: DfuClientOptions;
  private t_: DfuTransport;
  /** Correlation id of the Status in flight: a Command carrying another is late or doubled. */
  private seq_ = 0;
  /** Version being written. */
  private next_ = "";
  private timer_: unknown;
  private savedAt_ = 0;
  /** CRC chain over the staged image's whole SEG-byte segments [0, full_) (checkpoint_). */
  private chain_ = 0;
  private full_ = 0;
  private pair_ = new Uint8Array(8);
  /** A version that failed: not taken again before retryAt_ (or ever, when rolled back). */
  private failed_ = "";
  private forever_ = false;
  private retryAt_ = 0;
  private retries_ = 0;

  constructor(o: DfuClientOptions, t: DfuTransport) {
    this.o_ = o;
    this.t_ = t;
    t.attach(this);
  }

  private ev_(name: string, a?: number | string, b?: number | string): void {
    if (this.o_.onEvent) this.o_.onEvent(name, a, b);
  }

  /** After power-on: resume a download, or note a staged image that did not come up; then the first Status. */
  start(): void {
    const p = loadRecord<Progress>(this.o_.store);
    const fw = this.o_.firmware;
    if (p && p.st !== undefined && p.st !== fw.version) {
      // Swapped to p.st, yet the old image runs: the new one never confirmed and the boot stub rolled it back.
      this.decline_(p.st, true);
      saveProgress(this.o_.store, { f: p.st });
      this.ev_("rolledBack", p.st);
    } else if (p && p.f !== undefined) this.decline_(p.f, true);
    else if (p && p.v && p.s && p.b) {
      if (this.resume_(p.v, p.s, p.b, p.k)) this.ev_("resumed", p.v, this.o_.session.received);
      else saveProgress(this.o_.store, undefined);
    }
    this.send_();
  }

  /** The Status for now: the running version and, during a download, what is written and where the next Write goes. */
  status(): Status {
    const s = this.o_.session;
    return {
      version: this.o_.firmware.version, mtu: this.o_.mtu, cid: this.seq_,
      update: s.state === RECEIVING ? { version: this.next_, offset: s.received } : null,
    };
  }

  private clear_(): void {
    if (this.timer_ !== undefined) this.o_.clock.clearTimeout(this.timer_);
    this.timer_ = undefined;
  }

  private send_(): void {
    this.clear_();
    this.seq_ = (this.seq_ + 1) % 0x7fffffff;
    const st = this.status();
    this.timer_ = this.o_.clock.setTimeout(() => {
      this.timer_ = undefined;
      this.ev_("timeout");
      this.send_();
    }, this.o_.timeoutMs || 15000);
    this.ev_("status", st.update ? st.update.offset : -1);
    this.t_.send(st);
  }

  private later_(ms: number): void {
    this.clear_();
    this.timer_ = this.o_.clock.setTimeout(() => this.send_(), ms);
  }

  private backoff_(): void {
    this.later_(this.o_.backoffMs === undefined ? 1000 : this.o_.backoffMs);
  }

  garbled(why: string): void {
    this.ev_("garbled", why);
    this.backoff_();
  }

  command(c: Command): void {
    // A late answer to an earlier Status (or a doubled one): the Status in flight gets its own.
    if (c.cid !== null && c.cid !== this.seq_) return this.ev_("stale", c.kind);
    if (c.kind === WAIT) return this.later_((c.poll || 1) * 1000);
    if (c.kind === SYNC) return this.sync_(c);
    if (c.kind === WRITE) return this.write_(c);
    if (c.kind === SWAP) return this.swap_(c);
  }

  private sync_(c: Command): void {
    const v = asciiText(c.version as Uint8Array);
    const s = this.o_.session;
    if (v === this.o_.firmware.version) {
      // The target is what runs: a download of something else is moot.
      if (s.state === RECEIVING) {
        s.cancel();
        saveProgress(this.o_.store, undefined);
      }
      // The new image reported and the service agrees: only now does it confirm itself (embassy-boot's mark_booted).
      if (onTrial(s.bootState())) this.ev_("confirmed", this.o_.confirm() ? 1 : 0);
      const p = loadRecord<Progress>(this.o_.store);
      if (p && p.st !== undefined) saveProgress(this.o_.store, undefined);
      this.synced = true;
      this.ev_("synced", v);
    }
    this.later_((c.poll || this.o_.syncPoll || 300) * 1000);
  }

  /** Not taking `v` (it failed): for good when rolled back, else until retryAt_. */
  private decline_(v: string, forever: boolean): void {
    this.failed_ = v;
    this.forever_ = forever;
    if (!forever) this.retryAt_ = this.o_.clock.now() + Math.min((this.o_.retryAfterMs || 60000) * Math.pow(2, this.retries_++), 3600000);
  }

  private declined_(v: string): boolean {
    return v === this.failed_ && (this.forever_ || this.o_.clock.now() < this.retryAt_);
  }

  private write_(c: Command): void {
    const v = asciiText(c.version as Uint8Array);
    const off = c.offset as number;
    const data = c.data as Uint8Array;
    const s = this.o_.session;
    const mine = s.state === RECEIVING && v === this.next_;
    // A doubled Write, applied already. Without a correlation id (drgdfu's frames carry none) the Status it
    // caused is in flight; one answering the Status in flight (HTTP: one reply a request) needs the next.
    if (mine && off < s.received && off + data.length === s.received) {
      this.ev_("duplicate", off);
      if (c.cid !== null) this.send_();
      return;
    }
    if (!mine) {
      // A block of an update not started here: the Status says where this device is (the service starts over at 0).
      if (off !== 0) {
        this.ev_("refused", E_OFFSET, off);
        return this.send_();
      }
      if (this.declined_(v)) {
        this.ev_("declined", v);
        return this.later_(this.forever_ ? this.o_.retryAfterMs || 60000 : Math.max(1000, this.retryAt_ - this.o_.clock.now()));
      }
      if (s.state === STAGED) return this.backoff_();
      // Write at offset 0 starts an update (updater.rs:137-143); another version mid-download starts over.
      if (s.state === RECEIVING) s.cancel();
      let r = s.offer({ size: SIZE_FROM_HEADER, type: "", version: v });
      if (r === OK) r = s.start();
      if (r !== OK) return this.fail_(v, r);
      this.next_ = v;
      this.savedAt_ = 0;
      this.chain_ = 0;
      this.full_ = 0;
      saveProgress(this.o_.store, undefined);
      this.ev_("start", v);
    }
    const r = s.write(off, data);
    if (r === OK) {
      this.ev_("write", off, data.length);
      this.checkpoint_();
      return this.send_();
    }
    if (s.state !== RECEIVING) return this.fail_(v, r);
    // OFFSET, CHUNK_SIZE, OVERFLOW: the download goes on; the next Status names the offset expected.
    this.ev_("refused", r, off);
    if (r === E_OFFSET) this.send_();
    else this.backoff_();
  }

  /** Two CRC-32s into one: the CRC-32 of their 8 bytes (little-endian). */
  private link_(a: number, b: number): number {
    const x = this.pair_;
    x[0] = a & 255;
    x[1] = (a >> 8) & 255;
    x[2] = (a >> 16) & 255;
    x[3] = (a >>> 24) & 255;
    x[4] = b & 255;
    x[5] = (b >> 8) & 255;
    x[6] = (b >> 16) & 255;
    x[7] = (b >>> 24) & 255;
    return this.o_.digest.crc32(x);
  }

  /**
   * The chain key of [0, bytes) of the image at `address`: chain_ advanced over
   * the whole segments up to `bytes`, then linked with the CRC-32 of the rest.
   * A checkpoint reads only what came since the last one (not the whole
   * prefix, which made progress O(n^2) in the image's size).
   */
  private key_(address: number, bytes: number): number {
    const d = this.o_.digest;
    while (this.full_ + SEG <= bytes) {
      this.chain_ = this.link_(this.chain_, d.crc32Flash(address + this.full_, SEG));
      this.full_ += SEG;
    }
    return this.full_ < bytes ? this.link_(this.chain_, d.crc32Flash(address + this.full_, bytes - this.full_)) : this.chain_;
  }

  private checkpoint_(): void {
    const s = this.o_.session;
    if (!s.header) return;
    if (s.received - this.savedAt_ < (this.o_.checkpointEvery || 4096) && s.received !== s.size) return;
    // What is in flash: a tail below the write alignment waits in the session's RAM.
    const b = s.received - (s.received % this.o_.writeAlign);
    if (!b) return;
    saveProgress(this.o_.store, { v: this.next_, s: s.size, b: b, k: this.key_(this.o_.layout.slots[s.slot].address, b) });
    this.savedAt_ = s.received;
  }

  /**
   * After a reset: the staged prefix must still give the saved chain key,
   * then the session resumes with its CRC-32 (read once, at power-on).
   */
  private resume_(v: string, size: number, bytes: number, key: number | undefined): boolean {
    const s = this.o_.session;
    const b = s.bootState();
    if (!b.valid || key === undefined) return false;
    const a = this.o_.layout.slots[1 - confirmedSlot(b)].address;
    try {
      this.chain_ = 0;
      this.full_ = 0;
      if (this.key_(a, bytes) >>> 0 !== key >>> 0) return false;
      if (s.resume({ size: size, type: "", version: v }, bytes, this.o_.digest.crc32Flash(a, bytes)) !== OK) return false;
    } catch (e) {
      return false;
    }
    this.next_ = v;
    this.savedAt_ = s.received;
    if (s.received !== bytes) {
      // The block the prefix ended in was erased again: the chain restarts below it.
      this.chain_ = 0;
      this.full_ = 0;
      this.key_(a, s.received - (s.received % SEG));
    }
    return true;
  }

  private swap_(c: Command): void {
    const v = asciiText(c.version as Uint8Array);
    const s = this.o_.session;
    // Doubled Swap: the image is staged and the reset is coming.
    if (s.state === STAGED) return;
    if (s.state !== RECEIVING || v !== this.next_) {
      this.ev_("refused", E_STATE, v);
      return this.send_();
    }
    const sum = c.checksum as Uint8Array;
    // Empty: the service had none; the header's payload SHA-256 still decides.
    const r = sum.length === 32 ? s.finish(sum) : sum.length === 0 ? s.finish() : s.cancel(E_DIGEST);
    if (r !== OK) return this.fail_(v, r);
    saveProgress(this.o_.store, { st: v });
    this.clear_();
    this.ev_("swap", v);
    this.o_.reboot();
  }

  private fail_(v: string, code: number): void {
    this.lastError = code;
    this.ev_("failed", code, v);
    saveProgress(this.o_.store, undefined);
    this.decline_(v, false);
    this.backoff_();
  }
}
