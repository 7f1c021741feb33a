import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import { equalBytes } from "./bytes.js";
import {
  E_BUSY, E_CANCELLED, E_CHUNK_CRC, E_CHUNK_SIZE, E_DIGEST, E_FLASH, E_INCOMPLETE, E_NO_DIGEST, E_OFFSET,
  E_OVERFLOW, E_PAYLOAD_DIGEST, E_RECORD, E_SAME_VERSION, E_SIZE, E_STALLED, E_STATE, E_TOO_LARGE,
  E_TRIAL_ACTIVE, E_WRITE_VERIFY, E_WRONG_TYPE, OK,
} from "./errors.js";
import { admitHeader } from "./admit.js";
import { eraseSlotRange } from "./erase.js";
import { HEADER_SIZE, type ImageInfo, parseHeader } from "./header.js";
import { type Layout, NO_SLOT } from "./layout.js";
import { type BootRecord, type BootState, FLAG_ROLLED_BACK } from "./record.js";
import { openRecord } from "./open.js";
import { confirmedSlot, onTrial } from "./state.js";

/** Session states; README "Update session" has the transitions. */
export const IDLE = 0;
export const OFFERED = 1;
export const RECEIVING = 2;
export const STAGED = 3;

export interface Offer {
  size: number;
  type: string;
  version: string;
}

/** An extra whole-file check on the staged slot (a transport's own checksum); returns OK or a code. */
export type FileCheck = (address: number, length: number) => number;

/**
 * What a session takes from its board (core/open.ts OtaEnv has it all): the
 * HAL, the layout, the clock, and what the boot stub started. The session
 * opens the boot record itself (openRecord): the one place a session gets it.
 */
export interface SessionEnv {
  flash: Flash;
  digest: Digest;
  layout: Layout;
  clock: { now(): number };
  /** The slot the boot stub started (-1: none), and the running image's type and version. */
  boot: { slot: number; type: string; version: string };
}

/** What a transport reads of its session; only the session changes it. */
export interface SessionStatus {
  /** IDLE, OFFERED, RECEIVING or STAGED. */
  readonly state: number;
  /** Code that ended the last session (OK after a staged image). */
  readonly lastError: number;
  /** Bytes received so far, in order. */
  readonly received: number;
  /** The offered image's size (an unsized offer: the slot's, until the header fixes it). */
  readonly size: number;
  /** The staging slot, while receiving. */
  readonly slot: number;
  /** The image's header once its 128 bytes are in and admitted. */
  readonly header: ImageInfo | undefined;
}

/**
 * The session's own view of its status. A type-only cast (`this as Status`)
 * writes the fields: no getter or copy on the chunk path, none in the bundle.
 */
export type Status = { -readonly [K in keyof SessionStatus]: SessionStatus[K] };

/**
 * Transport-free update: offer → start → write… → finish, or cancel / stall.
 * Never erases or writes anything but the staging slot and (at start and
 * finish) the boot record.
 */
export class Session implements SessionStatus {
  readonly state: number = IDLE;
  readonly lastError: number = OK;
  readonly received: number = 0;
  readonly size: number = 0;
  readonly slot: number = NO_SLOT;
  readonly header: ImageInfo | undefined;
  protected o_: SessionEnv;
  /** Largest chunk a transport may deliver. */
  protected max_: number;
  private stall_: number;
  private r_: BootRecord;
  private offer_: Offer = { size: 0, type: "", version: "" };
  protected hdr_: Uint8Array;
  protected buf_: Uint8Array;
  protected carry_ = 0;
  private align_: number;
  private erase_: number;
  private lastOff_ = -1;
  private lastLen_ = 0;
  private lastCrc_ = 0;
  private touched_ = 0;
  protected boot_: BootState | undefined;

  /** `chunkMax`: the largest chunk a transport may deliver; `stallMs`: no call for this long ends a session (60 s). */
  constructor(o: SessionEnv, chunkMax: number, stallMs?: number) {
    this.o_ = o;
    this.max_ = chunkMax;
    this.stall_ = stallMs || 60000;
    this.r_ = openRecord(o);
    const st = o.flash.status();
    this.align_ = st.writeAlign;
    this.erase_ = st.eraseValue;
    this.hdr_ = new Uint8Array(HEADER_SIZE);
    // Only for chunks that do not end on the write alignment.
    this.buf_ = new Uint8Array(chunkMax + 2 * this.align_);
  }

  /** The boot record as it stands; refreshed at each offer. */
  bootState(): BootState {
    return this.r_.read();
  }

  offer(o: Offer): number {
    if (this.state === RECEIVING || this.state === STAGED) return E_BUSY;
    let b: BootState;
    try {
      b = this.bootState();
    } catch (e) {
      return E_FLASH;
    }
    if (onTrial(b)) return E_TRIAL_ACTIVE;
    const staging = this.stagingSlot_(b);
    if (staging < 0) return E_RECORD;
    if (!(o.size >= HEADER_SIZE)) return E_SIZE;
    if (o.size > this.o_.layout.slots[staging].size) return E_TOO_LARGE;
    if (o.type && o.type !== this.o_.boot.type) return E_WRONG_TYPE;
    if (o.version && o.version === this.o_.boot.version) return E_SAME_VERSION;
    this.offer_ = { size: o.size, type: o.type, version: o.version };
    this.boot_ = b;
    (this as Status).state = OFFERED;
    this.touched_ = this.o_.clock.now();
    return OK;
  }

  /** Slot to stage into: the one that is not the confirmed image, or -1 when unknown. */
  private stagingSlot_(b: BootState): number {
    const run = this.o_.boot.slot;
    if (!b.valid) return run === 0 || run === 1 ? 1 - run : -1;
    const c = confirmedSlot(b);
    if (run !== undefined && run !== c) return -1;
    return 1 - c;
  }

  /** Makes the record name only the running image, then erases the staging slot. */
  start(): number {
    if (this.state !== OFFERED || !this.boot_) return E_STATE;
    let b = this.boot_;
    const c = b.valid ? confirmedSlot(b) : this.o_.boot.slot;
    try {
      // No record may point at the slot about to be erased (esp-idf #14808).
      if (!b.valid || b.pending !== NO_SLOT) {
        b = this.r_.write(b, { confirmed: c, pending: NO_SLOT, maxTrials: this.o_.layout.maxTrials, flags: b.flags & FLAG_ROLLED_BACK });
      }
    } catch (e) {
      return this.end_(E_RECORD);
    }
    this.boot_ = b;
    const slot = this.o_.layout.slots[1 - c];
    const e = eraseSlotRange(this.o_.flash, slot, slot.address, slot.address + this.offer_.size);
    if (e !== OK) return this.end_(e);
    return this.receive_(1 - c, 0);
  }

  /**
   * Enters RECEIVING at `at` bytes into the offered image in `slot` (0 after
   * start(); more when a transport resumes). A header already in flash is
   * read back and checked again.
   */
  protected receive_(slot: number, at: number): number {
    (this as Status).slot = slot;
    (this as Status).size = this.offer_.size;
    (this as Status).received = at;
    this.carry_ = 0;
    this.lastOff_ = -1;
    (this as Status).header = undefined;
    (this as Status).state = RECEIVING;
    this.touched_ = this.o_.clock.now();
    const n = Math.min(at, HEADER_SIZE);
    if (n) this.hdr_.set(this.o_.flash.read(n, this.o_.layout.slots[slot].address), 0);
    return at >= HEADER_SIZE ? this.checkHeaderOrEnd_() : OK;
  }

  private checkHeaderOrEnd_(): number {
    const h = this.checkHeader_();
    return h === OK ? OK : this.end_(h);
  }

  /**
   * Takes the chunk at `offset`. `sent`: the chunk's CRC-32 from the server,
   * or undefined where the transport has its own check or none; the flash is
   * read back against the data's CRC-32 either way.
   */
  write(offset: number, bytes: Uint8Array, sent?: number): number {
    if (this.state !== RECEIVING) return E_STATE;
    const len = bytes.length;
    if (len === 0 || len > this.max_) return E_CHUNK_SIZE;
    // The data's own CRC-32, the read-back's reference. `undefined >>> 0` is 0, and
    // the `sent` test runs only on a mismatch: a chunk with a CRC pays nothing more.
    const crc = this.o_.digest.crc32(bytes);
    if (crc !== (sent as number) >>> 0 && sent != null) return E_CHUNK_CRC;
    this.touched_ = this.o_.clock.now();
    // A lost reply makes the NCP resend the chunk just written: same place, same data.
    if (offset === this.lastOff_ && len === this.lastLen_ && crc === this.lastCrc_ &&
        offset + len === this.received) return OK;
    if (offset !== this.received) return E_OFFSET;
    if (offset + len > this.size) return E_OVERFLOW;
    if (offset < HEADER_SIZE) this.hdr_.set(bytes.subarray(0, Math.min(len, HEADER_SIZE - offset)), offset);
    const r = this.program_(bytes, crc);
    if (r !== OK) return this.end_(r);
    (this as Status).received = offset + len;
    this.lastOff_ = offset;
    this.lastLen_ = len;
    this.lastCrc_ = crc;
    return !this.header && this.received >= HEADER_SIZE ? this.checkHeaderOrEnd_() : OK;
  }

  /** Writes a chunk at the next position, keeping a sub-alignment tail in RAM. */
  private program_(bytes: Uint8Array, crc: number): number {
    const a = this.align_;
    const base = this.o_.layout.slots[this.slot].address + this.received - this.carry_;
    let data = bytes;
    let n = bytes.length;
    if (this.carry_ || n % a) {
      const buf = this.buf_;
      buf.set(bytes, this.carry_);
      n = this.carry_ + bytes.length;
      const keep = n % a;
      n -= keep;
      data = buf.subarray(0, n);
      crc = this.o_.digest.crc32(data);
      if (n) {
        const r = this.flashWrite_(data, base, crc);
        if (r !== OK) return r;
      }
      buf.set(buf.subarray(n, n + keep), 0);
      this.carry_ = keep;
      return OK;
    }
    return this.flashWrite_(data, base, crc);
  }

  private flashWrite_(data: Uint8Array, address: number, crc: number): number {
    try {
      this.o_.flash.write(data, address);
      if (this.o_.digest.crc32Flash(address, data.length) !== crc) return E_WRITE_VERIFY;
    } catch (e) {
      return E_FLASH;
    }
    return OK;
  }

  protected checkHeader_(): number {
    const r = parseHeader(this.hdr_, this.o_.digest.crc32);
    if (r.code !== OK || !r.info) return r.code;
    const o = this.offer_;
    const code = admitHeader(r.info, { board: this.o_.layout.board, size: this.size, type: o.type, version: o.version }, this.o_.boot);
    if (code === OK) (this as Status).header = r.info;
    return code;
  }

  /**
   * Checks the staged image against its header and the file digest from the
   * server, then marks it pending. `fileSha256` undefined: the transport has
   * verified the whole file by other means (or has none); the header digest
   * is always checked. `check`, if given, runs over the whole staged file
   * (tail written) before the slot is marked: a transport whose server
   * names another algorithm verifies it here, so nothing unverified is marked.
   */
  finish(fileSha256?: Uint8Array, check?: FileCheck): number {
    if (this.state !== RECEIVING) return E_STATE;
    if (this.received !== this.size || !this.header) return this.end_(E_INCOMPLETE);
    if (this.carry_) {
      const pad = this.buf_.subarray(0, this.align_);
      pad.fill(this.erase_, this.carry_);
      const at = this.o_.layout.slots[this.slot].address + this.received - this.carry_;
      const r = this.flashWrite_(pad, at, this.o_.digest.crc32(pad));
      if (r !== OK) return this.end_(r);
      this.carry_ = 0;
    }
    const slot = this.o_.layout.slots[this.slot];
    // A read that throws ends the session like any refusal (FLASH), with nothing marked.
    let code: number;
    try {
      code = this.verify_(slot.address, this.header, fileSha256, check);
    } catch (e) {
      code = E_FLASH;
    }
    if (code !== OK) return this.end_(code);
    try {
      const b = this.boot_ as BootState;
      // The payload's CRC-32 goes into the record: boards without a built-in SHA-256 check it at boot.
      this.boot_ = this.r_.write(b, {
        confirmed: confirmedSlot(b), pending: this.slot, maxTrials: this.o_.layout.maxTrials, flags: 0,
        crcSlot: this.slot, crc: this.o_.digest.crc32Flash(slot.address + HEADER_SIZE, this.header.payloadLength),
      });
    } catch (e) {
      return this.end_(E_RECORD);
    }
    (this as Status).state = STAGED;
    (this as Status).lastError = OK;
    return OK;
  }

  /** The staged file against its header's payload SHA-256, the server's file SHA-256 and the transport's check. */
  private verify_(at: number, h: ImageInfo, fileSha256: Uint8Array | undefined, check: FileCheck | undefined): number {
    const d = this.o_.digest;
    const payload = d.sha256Flash(at + HEADER_SIZE, h.payloadLength);
    if (!payload) return E_NO_DIGEST;
    if (!equalBytes(payload, h.sha256)) return E_PAYLOAD_DIGEST;
    if (fileSha256) {
      const file = d.sha256Flash(at, this.size);
      if (!file || !equalBytes(file, fileSha256)) return E_DIGEST;
    }
    return check ? check(at, this.size) : OK;
  }

  cancel(code?: number): number {
    if (this.state === OFFERED || this.state === RECEIVING) return this.end_(code || E_CANCELLED);
    return OK;
  }

  /** Ends a session that has seen no call for `stallMs` (60 s by default). */
  tick(now: number): number {
    if ((this.state === OFFERED || this.state === RECEIVING) && now - this.touched_ >= this.stall_) {
      return this.end_(E_STALLED);
    }
    return OK;
  }

  protected end_(code: number): number {
    (this as Status).state = IDLE;
    (this as Status).lastError = code;
    this.carry_ = 0;
    return code;
  }
}
