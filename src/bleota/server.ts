import type { Clock } from "../hal/clock.js";
import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import { E_BUSY, E_HEADER_MISMATCH, E_INCOMPLETE, E_MAGIC, E_STATE, OK } from "../core/errors.js";
import { HEADER_SIZE } from "../core/header.js";
import type { Layout } from "../core/layout.js";
import { IDLE, RECEIVING, STAGED } from "../core/session.js";
import { confirmedSlot } from "../core/state.js";
import { CRC16_INIT, type Crc16 } from "./crc16.js";
import * as P from "./protocol.js";
import type { BleSession } from "./session.js";

export interface BleOtaOptions {
  session: BleSession;
  flash: Flash;
  digest: Digest;
  layout: Layout;
  /** Slot the boot stub started. */
  running: number;
  crc16: Crc16;
  clock: Clock;
  /** Sends a value on one of the OTA characteristics (notify, and what later reads see). */
  notify: (uuid: number, value: Uint8Array) => void;
  reboot: () => void;
}

/**
 * Largest data part of a firmware packet: 512 (the longest attribute value,
 * ATT's limit and the nRF SoftDevice's BLE_GATTS_VAR_ATTR_LEN_MAX, ble_gatts.h)
 * - 3 (sector, seq). A central at MTU 517 must write at most 512 bytes.
 */
export const CHUNK_MAX = 509;

// What the server waits for (docs/ble-ota.md, "Server states").
const M_IDLE = 0;
const M_MATCH = 1;
const M_RECV = 2;
const M_RESTART = 3;
const M_HDRBAD = 4;
const M_DONE = 5;
/**
 * Header bytes MATCH compares: all but its own CRC-32 (bytes 124..127). A
 * CRC-32 over data followed by that data's CRC-32 is the same constant for
 * every header, so comparing the whole 128 bytes by E.CRC32 would match any.
 */
const MATCH_LEN = HEADER_SIZE - 4;

/**
 * The GATT server side of ESP BLE OTA on the core session: Start is offer +
 * start (or MATCH, then a rewind to the first sector not staged), each
 * packet is written into the staging slot as it comes (session.write with
 * its E.CRC32), the sector's CRC16 runs along per packet and is compared at
 * the sector's last packet; Stop is finish. A refused sector is erased again
 * (session.rewind) when the client sends its packet 0 again.
 */
export class BleOta {
  private o_: BleOtaOptions;
  private mode_ = M_IDLE;
  private size_ = 0;
  private sector_ = 0;
  private seq_ = 0;
  private got_ = 0;
  private crc_ = CRC16_INIT;
  // MATCH: the sector to go on from once the header matches; the staging slot's address; HDRBAD's code.
  private at_ = 0;
  private addr_ = 0;
  private bad_ = 0;
  private ack_ = new Uint8Array(P.CMD_LENGTH);
  private prog_ = new Uint8Array(2);

  constructor(o: BleOtaOptions) {
    this.o_ = o;
  }

  /** A write to COMMAND_CHAR: Start, Stop; anything else (or a bad CRC16) is rejected. */
  command(p: Uint8Array): void {
    const o = this.o_;
    const id = P.commandId(p, o.crc16);
    const code = id === P.CMD_START ? this.start_(P.startLength(p)) : id === P.CMD_STOP ? this.stop_() : E_STATE;
    o.notify(P.COMMAND, P.packet(this.ack_, o.crc16, P.CMD_ACK, p.length > 1 ? P.u16(p, 0) : 0, code === OK ? P.ACCEPT : P.REJECT));
    if (code !== OK) this.progress_(code);
  }

  /** The central went away: the session stays for a resume; a new Start is needed. */
  disconnect(): void {
    if (this.mode_ !== M_DONE) this.mode_ = M_IDLE;
  }

  /** About once a second: the session's 60 s stall limit. */
  tick(): void {
    const code = this.o_.session.tick(this.o_.clock.now());
    if (code === OK) return;
    this.disconnect();
    this.progress_(code);
  }

  private start_(len: number): number {
    const o = this.o_;
    const s = o.session;
    if (s.state === STAGED) return E_BUSY;
    let at: number;
    if (len === this.size_ && s.state !== IDLE) at = Math.min(s.state === RECEIVING ? this.sector_ : this.at_, Math.ceil(len / P.SECTOR) - 1);
    else {
      s.cancel();
      this.size_ = len;
      const code = s.offer(this.offer_());
      if (code !== OK) return code;
      const b = s.bootState();
      this.addr_ = o.layout.slots[b.valid ? 1 - confirmedSlot(b) : 1 - o.running].address;
      at = this.scan_(len);
    }
    this.seq_ = this.got_ = 0;
    if (!at) return this.go_(0);
    this.at_ = at;
    this.mode_ = M_MATCH;
    return OK;
  }

  /**
   * Sectors already staged, after a reset: the first whose first bytes read
   * erased, minus one (that one may be torn or not yet checked). Sectors
   * are written in order, each after the one before passed its CRC16.
   */
  private scan_(len: number): number {
    const d = this.o_.digest;
    const a = this.ack_;
    a.fill(this.o_.flash.status().eraseValue);
    let k = 0;
    for (const n = Math.ceil(len / P.SECTOR); k < n; k++) {
      const m = Math.min(16, len - k * P.SECTOR);
      if (d.crc32Flash(this.addr_ + k * P.SECTOR, m) === d.crc32(a.subarray(0, m))) break;
    }
    return k && k - 1;
  }

  private offer_() {
    return { size: this.size_, type: "", version: "" };
  }

  /** Receives from `sector` on: everything from there to the image's end erased (all of it for sector 0). */
  private go_(sector: number): number {
    const s = this.o_.session;
    s.cancel();
    let code: number;
    if (sector) code = s.rewind(this.offer_(), sector * P.SECTOR);
    else if ((code = s.offer(this.offer_())) === OK) code = s.start();
    this.sector_ = sector;
    this.seq_ = this.got_ = 0;
    this.crc_ = CRC16_INIT;
    this.mode_ = code === OK ? M_RECV : M_IDLE;
    return code;
  }

  /** Stop: every byte in, then finish (payload SHA-256 against the header) and the reset into the new image. */
  private stop_(): number {
    const o = this.o_;
    const s = o.session;
    if (s.state === STAGED) return OK;
    if (s.state !== RECEIVING) return E_STATE;
    // Every sector acknowledged (a stray packet since, such as the last one doubled, changes nothing).
    if (this.sector_ * P.SECTOR < this.size_) return E_INCOMPLETE;
    const code = s.finish();
    if (code !== OK) {
      this.mode_ = M_IDLE;
      // The next Start must not resume an image that failed: its first block goes.
      try {
        const b = o.flash.block(this.addr_);
        o.flash.eraseBlock(b.start, b.start + b.length);
      } catch (e) {}
      return code;
    }
    this.mode_ = M_DONE;
    this.progress_(OK);
    o.clock.setTimeout(o.reboot, 500);
    return OK;
  }

  /** A write to RECV_FW_CHAR: Sector_Index u16, Packet_Seq u8, data (the last packet: data, CRC16 u16). */
  firmware(p: Uint8Array): void {
    const n = p.length;
    const idx = n > 1 ? P.u16(p, 0) : P.NO_SECTOR;
    if (n < P.FW_HEAD) return this.error_(idx, P.FW_LENGTH);
    const seq = p[2];
    const m = this.mode_;
    if (m === M_IDLE || m === M_DONE) return this.fw_(idx, P.FW_INDEX, P.NO_SECTOR);
    if (m === M_MATCH) return this.match_(p, idx, seq);
    if (idx === this.sector_ && !seq && (this.got_ || m === M_RESTART)) {
      // The client sends the sector again from its first packet: erase what it wrote.
      if (!this.got_) this.mode_ = M_RECV;
      else {
        const code = this.go_(this.sector_);
        if (code !== OK) return this.end_(idx, code);
      }
    } else if (m === M_RESTART) return;
    if (idx !== this.sector_ || (seq !== this.seq_ && seq !== P.LAST_SEQ)) return this.error_(idx, P.FW_INDEX);
    const last = seq === P.LAST_SEQ;
    const end = last ? n - 2 : n;
    const dl = end - P.FW_HEAD;
    const want = Math.min(P.SECTOR, this.size_ - this.sector_ * P.SECTOR);
    if (dl < (last ? 0 : 1) || dl > CHUNK_MAX || this.got_ + dl > want || (last && this.got_ + dl !== want)) return this.error_(idx, P.FW_LENGTH);
    const o = this.o_;
    if (dl) {
      this.crc_ = o.crc16(p, P.FW_HEAD, end, this.crc_);
      if (this.mode_ !== M_HDRBAD) {
        const data = p.subarray(P.FW_HEAD, end);
        const s = o.session;
        // The sector's CRC16 is checked at its end; the session reads each write back.
        const code = s.write(this.sector_ * P.SECTOR + this.got_, data);
        if (code !== OK) {
          if (s.state === RECEIVING) return this.error_(idx, P.FW_LENGTH);
          // A header refused before its sector's CRC16 came may be a corrupted packet: decided at the sector's end.
          if (this.sector_ || code < E_MAGIC || code > E_HEADER_MISMATCH) return this.end_(idx, code);
          this.mode_ = M_HDRBAD;
          this.bad_ = code;
        }
      }
    }
    this.got_ += dl;
    this.seq_++;
    if (!last) return;
    if (this.crc_ !== P.u16(p, n - 2)) return this.error_(idx, P.FW_CRC);
    if (this.mode_ === M_HDRBAD) return this.end_(idx, this.bad_);
    this.fw_(idx, P.FW_OK, 0);
    this.sector_++;
    this.got_ = this.seq_ = 0;
    this.crc_ = CRC16_INIT;
    this.progress_(OK);
  }

  /** MATCH: sector 0 compared with the staged header; equal through the header: go on from at_. */
  private match_(p: Uint8Array, idx: number, seq: number): void {
    const d = this.o_.digest;
    if (!seq) this.got_ = this.seq_ = 0;
    if (idx || seq !== this.seq_) return this.fw_(idx, P.FW_INDEX, 0);
    const end = Math.min(seq === P.LAST_SEQ ? p.length - 2 : p.length, P.FW_HEAD + MATCH_LEN - this.got_);
    const len = end - P.FW_HEAD;
    const same = len < 1 || d.crc32(p.subarray(P.FW_HEAD, end)) === d.crc32Flash(this.addr_ + this.got_, len);
    if (same && (this.got_ += Math.max(len, 0)) < MATCH_LEN) {
      this.seq_++;
      return;
    }
    if (same && this.go_(this.at_) === OK) {
      this.mode_ = M_RESTART;
      this.fw_(idx, P.FW_INDEX, this.at_);
      return this.progress_(OK);
    }
    // Another image (or one that cannot be resumed): start over; a first packet counts, later ones come again.
    const first = !same && !this.got_;
    const code = this.go_(0);
    if (code !== OK) return this.end_(idx, code);
    if (first) return this.firmware(p);
    this.error_(idx, P.FW_INDEX);
  }

  /** A refused packet: the sector is sent again from packet 0; until then its other packets are dropped. */
  private error_(idx: number, status: number): void {
    this.fw_(idx, status, this.mode_ === M_IDLE || this.mode_ === M_DONE ? P.NO_SECTOR : this.sector_);
    if (this.mode_ !== M_IDLE && this.mode_ !== M_DONE) this.mode_ = M_RESTART;
  }

  /** The transfer ended (a refused image, a flash failure): the client must Start again. */
  private end_(idx: number, code: number): void {
    this.o_.session.cancel(code);
    this.mode_ = M_IDLE;
    this.fw_(idx, P.FW_INDEX, P.NO_SECTOR);
    this.progress_(code);
  }

  private fw_(idx: number, status: number, expected: number): void {
    this.o_.notify(P.RECV_FW, P.packet(this.ack_, this.o_.crc16, idx, status, expected));
  }

  /** PROGRESS_BAR_CHAR: [percent of the image staged, the last session code]. */
  private progress_(code: number): void {
    const q = this.prog_;
    q[0] = this.size_ ? Math.floor((this.o_.session.received * 100) / this.size_) : 0;
    q[1] = code;
    this.o_.notify(P.PROGRESS, q);
  }
}
