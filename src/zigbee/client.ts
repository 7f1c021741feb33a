import { E_FLASH, E_OFFSET, E_RECORD, E_STATE, E_TRIAL_ACTIVE, E_WRITE_VERIFY, OK } from "../core/errors.js";
import { getU32, setU32 } from "../core/bytes.js";
import { fileVersionOf, ELEMENT_HEAD, OTA_HEADER_MAX, OTA_HEADER_MIN, parseOtaFileHeader, tagAction, ZF_FILE_VERSION, ZF_HARDWARE, ZF_IMAGE_TYPE, ZF_IMAGE_VERSION, ZF_MANUFACTURER, ZF_NO_UPGRADE_IMAGE, ZF_ROLLED_BACK, ZF_SIZE, ZF_TWO_IMAGES, ZF_UNKNOWN_TAG } from "./otafile.js";
import type { ResumableSession } from "../core/resume.js";
import { IDLE, RECEIVING, STAGED } from "../core/session.js";
import type { Clock } from "../hal/clock.js";
import type { ZclLink } from "./link.js";
import * as Z from "./zcl.js";
import type { Store } from "../transport/store.js";

/** Keeps a download's checkpoint across resets (the journal inside .eota on the device): the transports' one Store. */
export type ZStore = Store;

export interface ZigbeeClientOptions {
  link: ZclLink;
  session: ResumableSession;
  clock: Clock;
  /** Size of the staging slot (the largest image it takes). */
  slotSize: number;
  /** Ours: what the server's image must name. */
  manufacturer: number;
  imageType: number;
  /** Sent in Query Next Image Request when set (≥ 0), and checked against the file's hardware range. */
  hardwareVersion?: number;
  /** The running image's type and version (its file version: fileVersionOf(version), 0 when it has none). */
  firmware: { type: string; version: string };
  /** The file version of an image the boot stub rolled back (not fetched again), or undefined. */
  rolledBack?: number;
  /** Largest block asked for (default 64: fits one Zigbee frame). */
  maxData?: number;
  /** Bytes handed to the session at a time (default 1024; at most the session's chunkMax). */
  chunkSize?: number;
  /** Query Next Image every this many ms (default 24 h; 0 = only at start and on Image Notify). */
  queryEveryMs?: number;
  /** First query this long after start (default 5 s). */
  firstQueryMs?: number;
  /** How long an answer may take (default 3 s); lost ones are asked again, `tries` in all (default 8), with a doubling pause from `backoffMs` (default 500 ms, at most 8 s). */
  responseMs?: number;
  tries?: number;
  backoffMs?: number;
  /** Longest WAIT_FOR_DATA pause taken (default 1 h); Upgrade End Response "wait": asked again this often (default 1 h). */
  maxWaitMs?: number;
  endPollMs?: number;
  /** Bytes between checkpoints (default 4096). */
  checkpointEvery?: number;
  store?: ZStore;
  /** True when the running image is on trial: it confirms once the server has answered a query. */
  trial: boolean;
  confirm?: () => boolean;
  reboot: () => void;
  random?: () => number;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

// Client states.
const S_IDLE = 0;
const S_QUERY = 1;
const S_META = 2;
const S_DATA = 3;
const S_END = 4;
const S_WAIT = 5;
const S_REBOOT = 6;

/** Checkpoint record (JSON keys are words: see thingsboard/progress.ts). */
interface ZProgress {
  manufacturer: number;
  imageType: number;
  fileVersion: number;
  fileSize: number;
  base: number;
  length: number;
  bytes: number;
  crc: number;
}

/**
 * The Zigbee OTA Upgrade cluster client on the core session. Query Next
 * Image (at start, periodically, or after an Image Notify that passes its
 * jitter), then Image Block Requests by offset: first the OTA file header and
 * the sub-element headers (into a small buffer, checked), then tag 0's data
 * into the session; other known tags are skipped unread. The session checks
 * our image header and SHA-256 at the end; Upgrade End Request says SUCCESS
 * (or INVALID_IMAGE / ABORT) and its response says when to reset into the
 * trial. Every request is asked again on silence, with backoff; give-up ends
 * with Upgrade End ABORT. Checkpoints let a reset resume from the staged prefix.
 */
export class ZigbeeClient {
  state = S_IDLE;
  /** Why the last update ended (0 = staged; a core code, a ZF_ code, or a ZCL status + 256). */
  lastError = 0;
  /** The file's bytes the client has (header, skipped tags, staged data) during a download. */
  at = 0;
  fileSize = 0;
  confirmed = false;
  private o_: ZigbeeClientOptions;
  private out_: Uint8Array;
  private in_: Z.ZclOta;
  private head_: Uint8Array;
  private current_: number;
  private tsn_ = 0;
  private timer_: unknown;
  private tries_ = 0;
  private lastReq_ = -1e9;
  private minPeriod_ = 0;
  // The server's image (from Query Next Image Response).
  private mfr_ = 0;
  private type_ = 0;
  private ver_ = 0;
  // META: bytes wanted into head_ [0, need_) from file offset metaAt_; what they are (0 header, 1 element header).
  private metaAt_ = 0;
  private metaHave_ = 0;
  private metaNeed_ = 0;
  private metaKind_ = 0;
  private seenImage_ = false;
  // DATA: tag 0's data at [base_, base_ + len_) in the file.
  private base_ = 0;
  private len_ = 0;
  private nextCheckpoint_ = 0;
  private versionChecked_ = false;
  // The last Image Block Request (its minBlockPeriod; -1: build it whole next time).
  private req_: Uint8Array;
  private reqPeriod_ = -1;
  // Blocks of tag 0 not yet handed to the session.
  private buf_: Uint8Array;
  private held_ = 0;
  private endStatus_ = 0;
  private queryTimer_: unknown;
  /** A checkpoint may be stored (unknown at power-on: assume so). */
  private saved_ = true;

  constructor(o: ZigbeeClientOptions) {
    this.o_ = o;
    this.out_ = new Uint8Array(32);
    this.in_ = Z.newZclOta();
    this.head_ = new Uint8Array(OTA_HEADER_MAX);
    this.buf_ = new Uint8Array(o.chunkSize || 1024);
    this.req_ = new Uint8Array(19);
    const v = fileVersionOf(o.firmware.version);
    this.current_ = v < 0 ? 0 : v;
    o.link.listen((b, n) => this.zcl_(b, n), () => this.failed_());
  }

  /** Starts the periodic query (the first one soon). */
  begin(): void {
    this.scheduleQuery_(this.o_.firstQueryMs === undefined ? 5000 : this.o_.firstQueryMs);
  }

  /** Asks the server now (when no update runs). */
  query(): void {
    if (this.state !== S_IDLE) return;
    this.tries_ = 0;
    this.query_();
  }

  private event_(name: string, a?: number, b?: number): void {
    if (this.o_.onEvent) this.o_.onEvent(name, a, b);
  }

  private scheduleQuery_(ms: number): void {
    const c = this.o_.clock;
    if (this.queryTimer_ !== undefined) c.clearTimeout(this.queryTimer_);
    this.queryTimer_ = c.setTimeout(() => {
      this.queryTimer_ = undefined;
      this.query();
      const every = this.o_.queryEveryMs === undefined ? 86400000 : this.o_.queryEveryMs;
      if (every > 0) this.scheduleQuery_(every);
    }, ms);
  }

  private send_(n: number): void {
    this.lastReq_ = this.o_.clock.now();
    this.o_.link.send(this.out_, n);
  }

  private nextTsn_(): number {
    this.tsn_ = (this.tsn_ + 1) & 255;
    return this.tsn_;
  }

  private arm_(ms: number, f: () => void): void {
    const c = this.o_.clock;
    if (this.timer_ !== undefined) c.clearTimeout(this.timer_);
    this.timer_ = c.setTimeout(() => {
      this.timer_ = undefined;
      f();
    }, ms);
  }

  private disarm_(): void {
    if (this.timer_ !== undefined) this.o_.clock.clearTimeout(this.timer_);
    this.timer_ = undefined;
  }

  /** Pause before try number `t` (1 = the first repeat). */
  private backoff_(t: number): number {
    const b = this.o_.backoffMs === undefined ? 500 : this.o_.backoffMs;
    return Math.min(8000, b * Math.pow(2, t - 1));
  }

  private maxTries_(): number {
    return this.o_.tries || 8;
  }

  private query_(): void {
    this.state = S_QUERY;
    const o = this.o_;
    const hw = o.hardwareVersion === undefined ? -1 : o.hardwareVersion;
    this.send_(Z.encodeQuery(this.out_, this.nextTsn_(), o.manufacturer, o.imageType, this.current_, hw));
    this.event_("query", this.current_, this.tries_);
    this.arm_(o.responseMs || 3000, () => this.silence_());
  }

  /** No answer in time (or the radio said it did not deliver): ask again, or give up. */
  private silence_(): void {
    const s = this.state;
    if (s === S_IDLE || s === S_WAIT || s === S_REBOOT) return;
    if (++this.tries_ >= this.maxTries_()) {
      this.event_("gave-up", s, this.at);
      if (s === S_QUERY) return this.idle_();
      if (s === S_END) return this.applyAnyway_();
      // Give-up mid-transfer: tell the server, keep the checkpoint (the next query resumes).
      this.sendEnd_(Z.ST_ABORT);
      this.o_.session.cancel();
      this.lastError = 256 + Z.ST_ABORT;
      return this.idle_();
    }
    this.event_("retry", s, this.tries_);
    this.arm_(this.backoff_(this.tries_), () => this.again_());
  }

  private again_(): void {
    const s = this.state;
    if (s === S_QUERY) this.query_();
    else if (s === S_META || s === S_DATA) this.request_();
    else if (s === S_END) this.end_();
  }

  private failed_(): void {
    // The radio gave up on our last frame: the answer will not come; do not wait the whole timeout.
    if (this.timer_ !== undefined && this.state !== S_WAIT && this.state !== S_REBOOT) {
      this.event_("tx-fail", this.state, 0);
      this.arm_(0, () => this.silence_());
    }
  }

  private idle_(): void {
    this.disarm_();
    this.state = S_IDLE;
  }

  private zcl_(b: Uint8Array, n: number): void {
    const m = Z.decodeToClient(b, n, this.in_);
    if (!m.ok) return;
    switch (m.cmd) {
      case Z.CMD_IMAGE_NOTIFY: return this.notify_(m);
      case Z.CMD_QUERY_RSP: return this.queryRsp_(m);
      case Z.CMD_BLOCK_RSP: return this.blockRsp_(m);
      case Z.CMD_END_RSP: return this.endRsp_(m);
    }
  }

  private confirm_(): void {
    const o = this.o_;
    if (o.trial && o.confirm && !this.confirmed) {
      this.confirmed = o.confirm();
      this.event_("confirmed", this.confirmed ? 1 : 0, 0);
    }
  }

  /** Image Notify: for us (fields it names match), newer, and inside the jitter: query after a short random pause. */
  private notify_(m: Z.ZclOta): void {
    const o = this.o_;
    this.confirm_();
    if (this.state !== S_IDLE) return;
    if (m.manufacturer !== 0xffff && m.manufacturer !== o.manufacturer) return;
    if (m.imageType !== 0xffff && m.imageType !== o.imageType) return;
    if (m.fileVersion !== 0xffffffff && m.fileVersion <= this.current_) return;
    const r = o.random || Math.random;
    // Jitter 1-100: the client goes ahead when its draw from 1..100 is at most that.
    if (Math.floor(r() * 100) + 1 > m.jitter) return this.event_("notify", 0, m.jitter);
    this.event_("notify", 1, m.jitter);
    this.scheduleQuery_(Math.floor(r() * 1000));
  }

  private queryRsp_(m: Z.ZclOta): void {
    if (this.state !== S_QUERY || m.tsn !== this.tsn_) return;
    this.disarm_();
    this.confirm_();
    const o = this.o_;
    if (m.status !== Z.ST_SUCCESS) {
      this.event_("no-image", m.status, 0);
      return this.idle_();
    }
    let code = 0;
    if (m.manufacturer !== o.manufacturer) code = ZF_MANUFACTURER;
    else if (m.imageType !== o.imageType) code = ZF_IMAGE_TYPE;
    else if (!(m.fileVersion > this.current_)) code = ZF_FILE_VERSION;
    else if (m.fileVersion === o.rolledBack) code = ZF_ROLLED_BACK;
    else if (m.size < OTA_HEADER_MIN + ELEMENT_HEAD + 128 || m.size > this.maxFile_()) code = ZF_SIZE;
    this.event_("offer", code, m.size);
    if (code) {
      this.lastError = code;
      return this.idle_();
    }
    this.mfr_ = m.manufacturer;
    this.type_ = m.imageType;
    this.ver_ = m.fileVersion;
    this.reqPeriod_ = -1;
    this.fileSize = m.size;
    this.seenImage_ = false;
    this.minPeriod_ = 0;
    this.at = 0;
    this.meta_(0, OTA_HEADER_MIN, 0);
  }

  /** The largest file the staging slot can take: the slot plus the largest header, tag heads and room for signatures. */
  private maxFile_(): number {
    return this.o_.slotSize + OTA_HEADER_MAX + 4096;
  }

  private meta_(at: number, need: number, kind: number): void {
    this.state = S_META;
    this.metaAt_ = at;
    this.metaHave_ = 0;
    this.metaNeed_ = need;
    this.metaKind_ = kind;
    this.at = at;
    this.tries_ = 0;
    this.request_();
  }

  /** The next Image Block Request (META or DATA), no sooner than minBlockPeriod after the last request. */
  private request_(): void {
    const o = this.o_;
    const wait = this.lastReq_ + this.minPeriod_ - o.clock.now();
    if (wait > 0) return this.arm_(wait, () => this.request_());
    const max = o.maxData || 64;
    let off: number;
    let want: number;
    if (this.state === S_META) {
      off = this.metaAt_ + this.metaHave_;
      want = this.metaNeed_ - this.metaHave_;
    } else {
      off = this.base_ + this.o_.session.received + this.held_;
      want = this.len_ - this.o_.session.received - this.held_;
    }
    if (want > max) want = max;
    this.at = off;
    // The request of a download differs from the last only in TSN, offset, size and (after a WAIT_FOR_DATA) period.
    const r = this.req_;
    const tsn = this.nextTsn_();
    if (this.reqPeriod_ !== this.minPeriod_) {
      Z.encodeBlockReq(r, tsn, this.mfr_, this.type_, this.ver_, off, want, this.minPeriod_);
      this.reqPeriod_ = this.minPeriod_;
    } else {
      r[1] = tsn;
      setU32(r, 12, off);
      r[16] = want;
    }
    this.lastReq_ = o.clock.now();
    o.link.send(r, 19);
    this.arm_(o.responseMs || 3000, () => this.silence_());
  }

  private blockRsp_(m: Z.ZclOta): void {
    const st = this.state;
    if ((st !== S_META && st !== S_DATA) || m.tsn !== this.tsn_) return;
    if (m.status === Z.ST_WAIT_FOR_DATA) {
      this.disarm_();
      if (m.minBlockPeriod >= 0) this.minPeriod_ = m.minBlockPeriod;
      const sec = m.currentTime ? m.requestTime - m.currentTime : m.requestTime;
      const ms = Math.min(Math.max(0, sec * 1000), this.o_.maxWaitMs || 3600000);
      this.event_("wait", ms, this.minPeriod_);
      this.tries_ = 0;
      // Timers of the wait are not silence: the request after it counts tries afresh.
      return this.arm_(ms, () => this.request_());
    }
    if (m.status !== Z.ST_SUCCESS) {
      // ABORT or NO_IMAGE_AVAILABLE: the server ended it. Nothing staged is kept.
      this.disarm_();
      this.event_("server-abort", m.status, this.at);
      this.o_.session.cancel();
      this.saveProgress_(undefined);
      this.lastError = 256 + m.status;
      return this.idle_();
    }
    const d = m.data as Uint8Array;
    const n = d.length;
    const want = this.state === S_META ? this.metaNeed_ - this.metaHave_ : this.len_ - this.o_.session.received - this.held_;
    // Another image, another place, or more than asked for: unusable, as if lost (asked again on the timer).
    if (m.manufacturer !== this.mfr_ || m.imageType !== this.type_ || m.fileVersion !== this.ver_ || m.offset !== this.at ||
        n === 0 || n > (this.o_.maxData || 64) || n > want) {
      this.event_("bad-block", m.offset, n);
      return;
    }
    this.disarm_();
    this.tries_ = 0;
    if (st === S_META) {
      this.head_.set(d, this.metaHave_);
      this.metaHave_ += n;
      this.at = this.metaAt_ + this.metaHave_;
      if (this.metaHave_ < this.metaNeed_) return this.request_();
      return this.metaDone_();
    }
    this.data_(d);
  }

  /**
   * Blocks collect in a chunk-sized buffer (one `set` each) and go to the
   * session a chunk at a time: one CRC-32, one flash write and one read-back
   * per chunk instead of per 64-byte block. Bytes held here are lost with a
   * reset and simply asked for again (the checkpoint counts flash only).
   */
  private data_(d: Uint8Array): void {
    const s = this.o_.session;
    const b = this.buf_;
    b.set(d, this.held_);
    this.held_ += d.length;
    this.at = this.base_ + s.received + this.held_;
    if (this.held_ < b.length && s.received + this.held_ < this.len_) return this.request_();
    const chunk = b.subarray(0, this.held_);
    this.held_ = 0;
    // No CRC-32 of its own: ZCL frames carry none (the session still reads the flash back).
    const code = s.write(s.received, chunk);
    if (code !== OK) {
      if (s.state === RECEIVING && code === E_OFFSET) return this.request_();
      return this.refuse_(code);
    }
    this.at = this.base_ + s.received;
    if (!this.versionChecked_ && s.header) {
      this.versionChecked_ = true;
      // Our image's version must be the file's: the number the server announced is the one that runs.
      if (fileVersionOf(s.header.version) !== this.ver_) return this.refuse_(ZF_IMAGE_VERSION);
    }
    this.event_("progress", this.at, this.fileSize);
    if (s.received >= this.nextCheckpoint_ && s.received < this.len_) {
      const c = s.checkpoint();
      if (c.bytes) this.saveProgress_({
        manufacturer: this.mfr_, imageType: this.type_, fileVersion: this.ver_, fileSize: this.fileSize,
        base: this.base_, length: this.len_, bytes: c.bytes, crc: c.crc,
      });
      this.nextCheckpoint_ = s.received + (this.o_.checkpointEvery || 4096);
    }
    if (s.received < this.len_) return this.request_();
    // Tag 0 complete: what follows it is read and checked too.
    this.element_(this.base_ + this.len_);
  }

  private metaDone_(): void {
    const h = this.head_;
    if (this.metaKind_ === 0) {
      if (this.metaNeed_ === OTA_HEADER_MIN) {
        const len = h[6] | (h[7] << 8);
        if (len > OTA_HEADER_MIN && len <= OTA_HEADER_MAX) {
          // The optional fields: read on.
          this.metaNeed_ = len;
          return this.request_();
        }
      }
      const r = parseOtaFileHeader(h, this.metaNeed_);
      if (!r.header) return this.refuse_(r.code);
      const f = r.header;
      const o = this.o_;
      let code = 0;
      if (f.manufacturer !== this.mfr_) code = ZF_MANUFACTURER;
      else if (f.imageType !== this.type_) code = ZF_IMAGE_TYPE;
      else if (f.fileVersion !== this.ver_) code = ZF_FILE_VERSION;
      else if (f.totalSize !== this.fileSize) code = ZF_SIZE;
      else if (f.minHardware >= 0 && o.hardwareVersion !== undefined && (o.hardwareVersion < f.minHardware || o.hardwareVersion > f.maxHardware)) code = ZF_HARDWARE;
      if (code) return this.refuse_(code);
      this.event_("header", f.fileVersion, f.totalSize);
      return this.element_(f.headerLength);
    }
    // A sub-element header at metaAt_.
    const tag = h[0] | (h[1] << 8);
    const len = getU32(h, 2);
    const p = this.metaAt_;
    if (p + ELEMENT_HEAD + len > this.fileSize) return this.refuse_(ZF_SIZE);
    const act = tagAction(tag);
    this.event_("element", tag, len);
    if (act < 0) return this.refuse_(ZF_UNKNOWN_TAG);
    if (act > 0) return this.element_(p + ELEMENT_HEAD + len);
    if (this.seenImage_) return this.refuse_(ZF_TWO_IMAGES);
    this.seenImage_ = true;
    this.stage_(p + ELEMENT_HEAD, len);
  }

  /** The next sub-element starts at `p`: read its header, or, at the file's end, finish. */
  private element_(p: number): void {
    if (p === this.fileSize) return this.seenImage_ ? this.finish_() : this.refuse_(ZF_NO_UPGRADE_IMAGE);
    if (p + ELEMENT_HEAD > this.fileSize) return this.refuse_(ZF_SIZE);
    this.meta_(p, ELEMENT_HEAD, 1);
  }

  /** Tag 0 at [base, base+len): resume from a checkpoint of this very file, else offer and start afresh. */
  private stage_(base: number, len: number): void {
    const s = this.o_.session;
    const o = this.o_;
    this.base_ = base;
    this.len_ = len;
    this.versionChecked_ = false;
    this.held_ = 0;
    const offer = { size: len, type: o.firmware.type, version: "" };
    const p = this.loadProgress_();
    let code = -1;
    if (s.state !== IDLE) s.cancel();
    if (p && p.manufacturer === this.mfr_ && p.imageType === this.type_ && p.fileVersion === this.ver_ && p.fileSize === this.fileSize &&
        p.base === base && p.length === len) {
      code = s.resume(offer, p.bytes, p.crc);
      this.event_("resume", code, code === OK ? s.received : 0);
    }
    if (code !== OK) {
      this.saveProgress_(undefined);
      code = s.offer(offer);
      if (code === OK) code = s.start();
    }
    if (code !== OK) return this.refuse_(code);
    this.nextCheckpoint_ = s.received + (o.checkpointEvery || 4096);
    this.state = S_DATA;
    this.tries_ = 0;
    this.request_();
  }

  /** A check failed: Upgrade End INVALID_IMAGE (ABORT when it is the board's trouble, not the file's); the update ends. */
  private refuse_(code: number): void {
    const own = code === E_FLASH || code === E_WRITE_VERIFY || code === E_RECORD || code === E_STATE || code === E_TRIAL_ACTIVE;
    this.event_("refused", code, this.at);
    this.lastError = code;
    const s = this.o_.session;
    if (s.state !== IDLE && s.state !== STAGED) s.cancel(code);
    this.saveProgress_(undefined);
    this.sendEnd_(own ? Z.ST_ABORT : Z.ST_INVALID_IMAGE);
    this.idle_();
  }

  private finish_(): void {
    const s = this.o_.session;
    const code = s.finish();
    this.event_("finished", code, this.fileSize);
    if (code !== OK) return this.refuse_(code);
    this.saveProgress_(undefined);
    this.lastError = OK;
    this.endStatus_ = Z.ST_SUCCESS;
    this.state = S_END;
    this.tries_ = 0;
    this.end_();
  }

  private end_(): void {
    this.sendEnd_(this.endStatus_);
    this.arm_(this.o_.responseMs || 3000, () => this.silence_());
  }

  private sendEnd_(status: number): void {
    this.send_(Z.encodeEndReq(this.out_, this.nextTsn_(), status, this.mfr_, this.type_, this.ver_));
  }

  private endRsp_(m: Z.ZclOta): void {
    const st = this.state;
    if (st !== S_END && st !== S_WAIT) return;
    // Wildcards (0xFFFF, 0xFFFFFFFF) name any image: a server may send one to many clients.
    if ((m.manufacturer !== 0xffff && m.manufacturer !== this.mfr_) || (m.imageType !== 0xffff && m.imageType !== this.type_) ||
        (m.fileVersion !== 0xffffffff && m.fileVersion !== this.ver_)) return;
    this.disarm_();
    if (m.upgradeTime === Z.UPGRADE_WAIT) {
      // Wait for a later Upgrade End Response; ask again now and then (the server may have forgotten us).
      this.state = S_WAIT;
      this.event_("upgrade", -1, 0);
      return this.arm_(this.o_.endPollMs || 3600000, () => {
        this.state = S_END;
        this.tries_ = 0;
        this.end_();
      });
    }
    const sec = m.currentTime ? m.upgradeTime - m.currentTime : m.upgradeTime;
    const ms = Math.max(0, sec) * 1000;
    this.event_("upgrade", ms, 0);
    this.state = S_REBOOT;
    this.arm_(ms, () => this.o_.reboot());
  }

  /** Staged and marked, but the server never answered Upgrade End: the image is applied anyway (docs/zigbee.md). */
  private applyAnyway_(): void {
    this.state = S_REBOOT;
    this.event_("upgrade", 0, 1);
    this.o_.reboot();
  }

  private loadProgress_(): ZProgress | undefined {
    const st = this.o_.store;
    if (!st) return undefined;
    try {
      const t = st.load();
      const p = t ? (JSON.parse(t) as ZProgress) : undefined;
      return p && typeof p.bytes === "number" ? p : undefined;
    } catch (e) {
      return undefined;
    }
  }

  private saveProgress_(p: ZProgress | undefined): void {
    const st = this.o_.store;
    // Clearing what is already clear writes nothing (a journal entry is flash).
    if (!st || (!p && !this.saved_)) return;
    this.saved_ = !!p;
    try {
      st.save(p ? JSON.stringify(p) : undefined);
    } catch (e) {
      // Losing a checkpoint only costs a restart from zero.
    }
  }

  /** True when a checkpoint is saved (a download to resume): start() queries at once. */
  hasProgress(): boolean {
    return !!this.loadProgress_();
  }
}
