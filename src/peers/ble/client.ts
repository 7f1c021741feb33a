import { errorName } from "../../core/errors.js";
import { CRC16_INIT, crc16Table, tableCrc16 } from "../../bleota/crc16.js";
import * as P from "../../bleota/protocol.js";
import type { FakeClock } from "../../platform/host/clock.js";
import type { NrfStandIn } from "../../testbench/nrf.js";
import { rng } from "../../testbench/rng.js";
import { type BleFaults, NO_FAULTS } from "./faults.js";

export const crc16 = tableCrc16(crc16Table());

/** Connection interval, the shortest a central may ask for (7.5 ms). */
const WRITE_MS = 7.5;

/** A command packet: id, payload (up to 16 bytes), CRC16 of bytes 0..17. */
export function commandPacket(id: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(P.CMD_LENGTH);
  b[0] = id & 255;
  b[1] = id >> 8;
  b.set(payload.subarray(0, 16), 2);
  const c = crc16(b, 0, 18, CRC16_INIT);
  b[18] = c & 255;
  b[19] = c >> 8;
  return b;
}

export function startPacket(length: number): Uint8Array {
  return commandPacket(P.CMD_START, new Uint8Array([length & 255, (length >> 8) & 255, (length >> 16) & 255, length >>> 24]));
}

/** The packets of sector k of `image` for an MTU: Sector_Index, Packet_Seq (0xFF last), data; the last ends in the sector's CRC16. */
export function sectorPackets(image: Uint8Array, k: number, mtu: number): Uint8Array[] {
  const data = image.subarray(k * P.SECTOR, Math.min((k + 1) * P.SECTOR, image.length));
  const crc = crc16(data, 0, data.length, CRC16_INIT);
  const out: Uint8Array[] = [];
  // A write carries MTU - 3 bytes, and no attribute value is longer than 512.
  const full = Math.min(mtu - 3, 512) - P.FW_HEAD;
  let at = 0;
  for (let seq = 0; data.length - at > full - 2; seq++, at += full) out.push(fw(k, seq, data.subarray(at, at + full)));
  const last = fw(k, P.LAST_SEQ, data.subarray(at), 2);
  last[last.length - 2] = crc & 255;
  last[last.length - 1] = crc >> 8;
  out.push(last);
  return out;
}

function fw(k: number, seq: number, data: Uint8Array, extra = 0): Uint8Array {
  const b = new Uint8Array(P.FW_HEAD + data.length + extra);
  b[0] = k & 255;
  b[1] = k >> 8;
  b[2] = seq;
  b.set(data, P.FW_HEAD);
  return b;
}

export interface BleClientOptions {
  nrf: NrfStandIn;
  clock: FakeClock;
  image: Uint8Array;
  /** ATT MTU the central negotiates (23, 185, 517, ...). */
  mtu: number;
  faults?: BleFaults;
  /** Power-cycles the board (the `reset` fault). */
  reset?: () => void;
  log?: (s: string) => void;
  /** Bytes the board has acknowledged (whole sectors). */
  onProgress?: (bytes: number) => void;
}

/**
 * The client role of the seed's Python tool (Start, every sector packet by
 * packet, Stop), writing with response so the board's notifications are
 * read after each packet; plus what that tool leaves out: a refused sector
 * is sent again (CRC or length error: the same one; index error: the one
 * named), a missing answer after a sector's last packet is taken as lost
 * (1 s), and a Start is repeated after a disconnect or a reset. Runs in
 * simulated time.
 */
export class BleOtaClient {
  outcome = "";
  resends = 0;
  packets = 0;
  /** Sectors the board named after a Start (a resumed transfer). */
  resumes: number[] = [];
  /** Every notification, as [characteristic, bytes]. */
  seen: [number, Uint8Array][] = [];
  private fw_: Uint8Array[] = [];
  private cmd_: Uint8Array[] = [];
  private code_ = 0;
  private f_: BleFaults;
  private rnd_: () => number;
  private resetDone_ = false;
  private discDone_ = false;

  constructor(private o: BleClientOptions) {
    this.f_ = o.faults || NO_FAULTS;
    this.rnd_ = rng(this.f_.seed);
    o.nrf.onNotify((_s, ch, v) => {
      this.seen.push([ch, v]);
      if (ch === P.RECV_FW) this.fw_.push(v);
      else if (ch === P.COMMAND) this.cmd_.push(v);
      else if (ch === P.PROGRESS && v.length > 1) this.code_ = v[1];
    });
  }

  private log_(s: string): void {
    if (this.o.log) this.o.log(s);
  }

  /** Connects (waiting up to `ms` for the board to advertise). */
  connect(ms = 10_000): boolean {
    const o = this.o;
    return o.clock.runUntil(() => o.nrf.connected || o.nrf.connect(o.mtu), ms);
  }

  /** Writes a command and returns its ACK's status (ACCEPT/REJECT), or -1 when none came. */
  command(p: Uint8Array): number {
    this.cmd_ = [];
    this.o.nrf.write(P.SERVICE, P.COMMAND, p);
    const a = this.cmd_.shift();
    return a && P.commandId(a, crc16) === P.CMD_ACK ? P.u16(a, 4) : -1;
  }

  /** The whole update; true when Stop was accepted (the board then resets into the new image). */
  run(): boolean {
    const o = this.o;
    const n = Math.ceil(o.image.length / P.SECTOR);
    if (!this.connect()) return this.fail_("no board to connect to");
    if (!this.start_()) return false;
    let k = 0;
    let rounds = 0;
    while (k < n) {
      if (++rounds > 40 * n + 100) return this.fail_("too many resends");
      const next = this.sector_(k);
      if (next < 0) return false;
      if (next <= k) this.resends++;
      else if (o.onProgress) o.onProgress(Math.min(next * P.SECTOR, o.image.length));
      k = next;
    }
    const st = this.command(commandPacket(P.CMD_STOP));
    if (st !== P.ACCEPT) return this.fail_("Stop " + (st < 0 ? "unanswered" : "refused: " + errorName(this.code_)));
    this.outcome = "applied";
    this.log_("Sent command 2, accepted: the board resets into the new image");
    return true;
  }

  private fail_(why: string): boolean {
    this.outcome = why;
    this.log_(why);
    return false;
  }

  private start_(): boolean {
    const st = this.command(startPacket(this.o.image.length));
    if (st === P.ACCEPT) return true;
    return this.fail_("Start " + (st < 0 ? "unanswered" : "refused: " + errorName(this.code_)));
  }

  /** Sends sector k; returns the sector to send next (k again after a refusal), or -1 when the update ended. */
  private sector_(k: number): number {
    const o = this.o;
    const f = this.f_;
    this.fw_ = [];
    for (const pk of sectorPackets(o.image, k, o.mtu)) {
      this.packets++;
      if (f.reset && !this.resetDone_ && this.packets === f.reset && o.reset) {
        this.resetDone_ = true;
        this.log_("reset: the board is power-cycled after packet " + this.packets);
        o.reset();
        return this.again_();
      }
      if (f.disconnect && !this.discDone_ && this.packets === f.disconnect) {
        this.discDone_ = true;
        this.log_("disconnect after packet " + this.packets);
        o.nrf.disconnect();
        return this.again_();
      }
      let p = pk;
      if (f.corrupt && this.rnd_() < f.corrupt) {
        p = p.slice();
        p[Math.floor(this.rnd_() * p.length)] ^= 1 << Math.floor(this.rnd_() * 8);
      }
      if (f.wrong && this.rnd_() < f.wrong) {
        p = p.slice();
        p[0] = (k + 1) & 255;
        p[1] = (k + 1) >> 8;
      }
      if (!(f.lost && this.rnd_() < f.lost)) {
        this.write_(p);
        if (f.doubled && this.rnd_() < f.doubled) this.write_(p);
      }
      if (this.fw_.length) return this.answer_(k);
    }
    o.clock.advance(1000);
    return this.fw_.length ? this.answer_(k) : k;
  }

  /** A write with response: one connection event each way (7.5 ms apart), in simulated time. */
  private write_(p: Uint8Array): void {
    this.o.nrf.write(P.SERVICE, P.RECV_FW, p);
    this.o.clock.advance(2 * WRITE_MS);
  }

  /** Reads the board's answers in order; the last one decides. */
  private answer_(k: number): number {
    let next = k;
    for (const a of this.fw_) {
      const st = P.u16(a, 2);
      if (st === P.FW_OK && P.u16(a, 0) === k) next = k + 1;
      else if (st === P.FW_INDEX) {
        const e = P.u16(a, 4);
        if (e === P.NO_SECTOR) {
          this.fail_("sector " + k + " refused: " + errorName(this.code_) + "; not resending");
          return -1;
        }
        // A sector ahead of this one: the board resumes a transfer (after the header of sector 0 matched).
        if (e > k) {
          this.resumes.push(e);
          this.log_("resumed: the board asks for sector " + e);
        }
        next = e;
      } else if (st === P.FW_CRC || st === P.FW_LENGTH) next = k;
    }
    this.fw_ = [];
    return next;
  }

  /** After a disconnect or reset: connect, Start again, and go on from sector 0 (the board names where to resume). */
  private again_(): number {
    this.o.clock.advance(500);
    if (!this.connect() || !this.start_()) return -1;
    return this.resumeFrom_();
  }

  private resumeFrom_(): number {
    // Sector 0 packet by packet until the board answers (it names the sector to resume from after the header).
    const o = this.o;
    this.fw_ = [];
    for (const p of sectorPackets(o.image, 0, o.mtu)) {
      this.packets++;
      this.write_(p);
      if (this.fw_.length) return this.answer_(0);
    }
    return 0;
  }
}
