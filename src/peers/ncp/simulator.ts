import { createHash } from "node:crypto";
import type { Clock } from "../../hal/clock.js";
import type { Link } from "../../hal/link.js";
import { crc8 } from "../../ncp/crc8.js";
import * as P from "../../ncp/protocol.js";
import { Rpc } from "../../ncp/rpc.js";
import type { Reader, Writer } from "../../ncp/wire.js";
import { crc32 } from "../../platform/host/digest.js";
import { E_CHUNK_CRC, E_OFFSET, errorName } from "../../core/errors.js";

export interface SimOptions {
  link: Link;
  clock: Clock;
  image: Uint8Array;
  type: string;
  version: string;
  build: string;
  filename?: string;
  /** Largest chunk this NCP accepts in otaUpdateStart (its receive buffer minus the write overhead). */
  maxChunk?: number;
  /** Resends of a failed or timed-out write before the NCP cancels (Blynk: 5). */
  retries?: number;
  /** Stop sending after this many chunks, as a dead network would (the client must time out). */
  stallAfter?: number;
  /** After this many chunks, make the client reset (mcu.reboot), then carry on sending. */
  rebootAfter?: number;
  /** The NCP's initial UART rate; it returns to it when it reboots after an update. */
  baud?: number;
  /** Answer setUartBaudRate true but stay at the old rate. */
  ignoreBaud?: boolean;
  /** Hide GetSHA256 (answer 0x13) as an NCP without it would. */
  noSha256?: boolean;
  /** Answer GetSHA256 with this digest instead of the real one. */
  wrongSha256?: boolean;
  log?: (line: string) => void;
  /**
   * Why the client said no, as an error code (core/errors.ts), when whoever runs the simulator can tell:
   * in-process from the client's own events, on a port from the image and what the board reported.
   * A write refused for a reason that resending cannot change (anything but CHUNK_CRC or OFFSET) ends
   * the update at once instead of being resent.
   */
  explain?: (step: "offer" | "write" | "finish", offset: number) => number | undefined;
}

/** The refusals after which the client's session keeps running, so a resend may succeed (README, "Update session"). */
const RESENDABLE = [E_CHUNK_CRC, E_OFFSET];

export type SimState = "idle" | "offered" | "sending" | "finishing" | "applied" | "failed";

/**
 * The NCP side of Blynk.Air, played faithfully enough to test a client: it
 * offers an image, waits for otaUpdateStart, sends chunks no larger than the
 * proposed size with their offset and CRC-32, resends up to 5 times on false
 * or timeout and then cancels, answers the digest queries and finishes.
 */
export class NcpSimulator {
  readonly rpc: Rpc;
  state: SimState = "idle";
  /** Why the last update ended: "applied", or what failed. */
  outcome = "";
  chunkSize = 0;
  sent = 0;
  resends = 0;
  /** What the client reported with setFirmwareInfo, last first. */
  reported: { type: string; version: string; build: string }[] = [];
  private o_: SimOptions;
  private chunks_ = 0;
  private rebooted_ = false;
  private offers_ = 0;

  constructor(o: SimOptions) {
    this.o_ = o;
    const rpc = (this.rpc = new Rpc({ link: o.link, clock: o.clock, crc8: crc8, maxOut: 4200 }));
    const bool = (id: number, v: boolean) => rpc.reply(id, P.ST_OK, (w) => w.u8(v ? 1 : 0));
    const img = o.image;
    rpc.serve(P.NCP_PING, (_r, id) => rpc.reply(id, P.ST_OK));
    rpc.serve(P.NCP_HAS_UID, (r, id) => bool(id, rpc.serves(r.u16())));
    rpc.serve(P.BLYNK_GET_STATE, (_r, id) => rpc.reply(id, P.ST_OK, (w) => w.u8(this.state === "sending" ? 11 : 5)));
    rpc.serve(P.BLYNK_INITIALIZE, (_r, id) => bool(id, true));
    rpc.serve(P.BLYNK_SET_FIRMWARE_INFO, (r, id) => {
      const info = { type: r.str(), version: r.str(), build: r.str() };
      r.str();
      if (!r.done()) return rpc.reply(id, P.ST_ARGS_READ);
      this.reported.unshift(info);
      this.log_("client reports " + info.type + " v" + info.version);
      // The cloud learns the outcome from what the rebooted client reports.
      if (this.state === "finishing" && info.version === o.version) this.end_("applied");
      bool(id, true);
    });
    rpc.serve(P.HW_SET_UART_BAUD, (r, id) => {
      const baud = r.u32();
      bool(id, true);
      // The answer leaves at the old rate; then the NCP switches.
      if (!o.ignoreBaud) o.link.setBaud(baud);
      this.log_("baud " + baud + (o.ignoreBaud ? " (ignored)" : ""));
    });
    rpc.serve(P.BLYNK_OTA_START, (r, id) => {
      const size = r.u16();
      const ok = r.done() && this.state === "offered" && size >= 16 && size <= (o.maxChunk || 4080);
      bool(id, ok);
      if (!ok) return;
      this.chunkSize = size;
      this.state = "sending";
      this.log_("otaUpdateStart chunk " + size);
      o.clock.setTimeout(() => this.sendNext_(0), 0);
    });
    rpc.serve(P.BLYNK_OTA_GET_CRC32, (_r, id) => rpc.reply(id, P.ST_OK, (w) => w.u32(crc32(img)).u8(1)));
    rpc.serve(P.BLYNK_OTA_GET_MD5, (_r, id) => rpc.reply(id, P.ST_OK, (w) => w.bin(digest("md5", img)).u8(1)));
    if (!o.noSha256) {
      rpc.serve(P.BLYNK_OTA_GET_SHA256, (_r, id) => {
        const d = digest("sha256", img);
        if (o.wrongSha256) d[0] ^= 1;
        rpc.reply(id, P.ST_OK, (w) => w.bin(d).u8(1));
      });
    }
  }

  /** OTA_UPDATE_AVAILABLE: the client answers within 5 s; an unanswered offer is repeated like a write. */
  offer(tries = 0): void {
    const o = this.o_;
    this.state = "offered";
    this.outcome = "";
    this.chunks_ = 0;
    if (tries === 0) this.offers_++;
    this.call_(P.CLIENT_OTA_AVAILABLE, (w) => w.str(o.filename || "firmware.bin").u32(o.image.length).str(o.type).str(o.version).str(o.build), 5000, (st, r) => {
      if (this.state !== "offered") return;
      if (st === P.ST_TIMEOUT && tries < (o.retries === undefined ? 5 : o.retries)) return this.offer(tries + 1);
      const yes = st === P.ST_OK && r.u8() === 1;
      const why = this.why_(st, "offer", 0);
      this.log_("otaUpdateAvailable -> " + (yes ? "accepted" : st === P.ST_TIMEOUT ? "no answer after " + (tries + 1) + " offers" : "refused" + why));
      if (!yes) return this.end_(st === P.ST_TIMEOUT ? "offer unanswered" : "refused" + why);
      // Accepted: otaUpdateStart must follow; the client's own stall limit is a minute too.
      const n = this.offers_;
      o.clock.setTimeout(() => {
        if (this.state === "offered" && this.offers_ === n) this.cancel_("no otaUpdateStart");
      }, 60_000);
    });
  }

  private sendNext_(tries: number): void {
    const o = this.o_;
    if (this.state !== "sending") return;
    const off = this.sent;
    if (off >= o.image.length) return this.finish_();
    if (o.stallAfter !== undefined && this.chunks_ >= o.stallAfter) return this.log_("stalling");
    if (o.rebootAfter !== undefined && this.chunks_ === o.rebootAfter && tries === 0 && !this.rebooted_) {
      this.rebooted_ = true;
      this.log_("resetting the client");
      return this.call_(P.MCU_REBOOT, undefined, 1000, () => this.sendNext_(0));
    }
    const data = o.image.subarray(off, Math.min(o.image.length, off + this.chunkSize));
    this.call_(P.CLIENT_OTA_WRITE, (w) => w.u32(off).bin(data).u32(crc32(data)), 5000, (st, r) => {
      if (st === P.ST_OK && r.u8() === 1) {
        this.sent = off + data.length;
        this.chunks_++;
        return this.sendNext_(0);
      }
      const code = st === P.ST_OK && o.explain ? o.explain("write", off) : undefined;
      const why = this.why_(st, "write", off);
      if (code !== undefined && RESENDABLE.indexOf(code) < 0) {
        // Final: the client's session has ended; a resend would only be refused again.
        this.log_("write @" + off + " refused" + why + "; not resending");
        return this.cancel_("write @" + off + " refused" + why);
      }
      if (tries < (o.retries === undefined ? 5 : o.retries)) {
        this.resends++;
        this.log_("write @" + off + (st === P.ST_TIMEOUT ? " unanswered" : " refused" + why) + ", resend " + (tries + 1));
        return this.sendNext_(tries + 1);
      }
      this.cancel_("write @" + off + " failed " + (tries + 1) + " times" + (st === P.ST_OK ? why : ""));
    });
  }

  private finish_(tries = 0): void {
    const o = this.o_;
    this.state = "finishing";
    this.call_(P.CLIENT_OTA_FINISH, undefined, 5000, (st, r) => {
      if (this.state !== "finishing") return;
      const yes = st === P.ST_OK && r.u8() === 1;
      const why = yes ? "" : this.why_(st, "finish", this.sent);
      this.log_("otaUpdateFinish -> " + (yes ? "true" : st === P.ST_TIMEOUT ? "no answer" : "false" + why));
      if (yes) {
        this.end_("applied");
        // The NCP reboots and comes back at its initial rate.
        if (o.baud) o.link.setBaud(o.baud);
      } else if (st === P.ST_TIMEOUT && tries < (o.retries === undefined ? 5 : o.retries)) {
        this.finish_(tries + 1);
      } else if (st === P.ST_TIMEOUT) {
        // Unanswered: wait a minute for the client to report after its reboot.
        if (o.baud) o.link.setBaud(o.baud);
        const n = this.offers_;
        o.clock.setTimeout(() => this.state === "finishing" && this.offers_ === n && this.end_("finish unanswered"), 60_000);
      } else this.end_("finish refused" + why);
    });
  }

  private cancel_(why: string): void {
    this.call_(P.CLIENT_OTA_CANCEL, undefined, 1000, () => this.end_("cancelled: " + why));
  }

  private end_(outcome: string): void {
    this.state = outcome === "applied" ? "applied" : "failed";
    this.outcome = outcome;
    this.sent = 0;
  }

  /** Calls wait for a free slot: the client may be calling us at the same moment. */
  private call_(uid: number, args: ((w: Writer) => void) | undefined, ms: number, done: (st: number, r: Reader) => void): void {
    if (!this.rpc.call(uid, args, ms, done)) this.o_.clock.setTimeout(() => this.call_(uid, args, ms, done), 5);
  }

  /** ": WRONG_BOARD" when the refusal can be named, ": not answered" on a timeout, " (status N)" for another RPC status, else "". */
  private why_(st: number, step: "offer" | "write" | "finish", off: number): string {
    if (st === P.ST_TIMEOUT) return ": not answered";
    if (st !== P.ST_OK) return " (RPC status 0x" + st.toString(16) + ")";
    const code = this.o_.explain ? this.o_.explain(step, off) : undefined;
    return code === undefined || code === 0 ? "" : ": " + errorName(code);
  }

  private log_(s: string): void {
    if (this.o_.log) this.o_.log(s);
  }
}

function digest(alg: string, b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(alg).update(b).digest());
}
