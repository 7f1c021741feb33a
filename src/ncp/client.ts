import type { Clock } from "../hal/clock.js";
import { E_NO_DIGEST, OK } from "../core/errors.js";
import { IDLE, OFFERED, RECEIVING, STAGED, type Session, type SessionStatus } from "../core/session.js";
import * as P from "./protocol.js";
import type { Rpc } from "./rpc.js";
import type { Reader, Writer } from "./wire.js";

export interface NcpClientOptions {
  rpc: Rpc;
  session: Session;
  clock: Clock;
  /** What the running image is (from its header), reported with setFirmwareInfo. */
  firmware: { type: string; version: string; build: string };
  /** Blynk library version string for setFirmwareInfo. */
  blynk?: string;
  /** Chunk size proposed with otaUpdateStart. */
  chunkSize: number;
  /** True when the running image is on trial and should confirm once the NCP answers. */
  trial: boolean;
  /** Marks the running image healthy; undefined = the application confirms by itself. */
  confirm?: () => boolean;
  reboot: () => void;
  /** Optional faster UART rate for the transfer; `setBaud` changes the local rate. */
  baud?: { initial: number; fast: number; setBaud: (b: number) => void };
  /** Progress and outcome, for the application's UI or logs. */
  onEvent?: (name: string, a?: number, b?: number) => void;
}

const T_CALL = 1000;
const T_PING = 300;
const PING_TRIES = 3;
/** Tries of a call whose answer is lost or bad before the client gives up on it (see each call). */
const START_TRIES = 8;
const REPORT_TRIES = 5;
const DIGEST_TRIES = 5;

/**
 * The Client (primary MCU) side of Blynk.Air over Blynk.NCP: serves the OTA
 * calls by driving the core Session, and reports and confirms the running
 * image after a reboot. Answers otaUpdateAvailable before erasing (the NCP
 * waits 5 s), erases, pings, then proposes the chunk size.
 */
export class NcpClient {
  confirmed = false;
  private o_: NcpClientOptions;
  private lastPing_ = 0;
  private misses_ = 0;
  // setFirmwareInfo: a report chain runs; the NCP has accepted one since power-on; when the last chain began.
  private reporting_ = false;
  private reported_ = false;
  private lastReport_ = 0;
  // The accepted offer (size/type/version), to answer its duplicate or resend alike.
  private offerKey_ = "";
  // No offer since power-on: a finish now is the resend of the one that staged the running trial image.
  private fresh_ = true;
  // otaUpdateStart: confirmed (its true, or the first write); the current chain's number.
  private started_ = false;
  private startGen_ = 0;
  // otaUpdateFinish: the msgId to answer (the latest resend), a digest call running, its tries left.
  private finishId_ = -1;
  private digesting_ = false;
  private digestTries_ = 0;
  // Accepted offers so far: a late answer from an earlier update must not act on this one.
  private offers_ = 0;
  private rebooting_ = false;

  constructor(o: NcpClientOptions) {
    this.o_ = o;
    const rpc = o.rpc;
    const ok = (id: number) => rpc.reply(id, P.ST_OK);
    const bool = (id: number, v: boolean) => rpc.reply(id, P.ST_OK, (w: Writer) => w.u8(v ? 1 : 0));
    const exact = (r: Reader, id: number) => {
      if (r.done()) return true;
      rpc.reply(id, P.ST_ARGS_READ);
      return false;
    };
    rpc.serve(P.MCU_PING, (r, id) => exact(r, id) && ok(id));
    rpc.serve(P.MCU_HAS_UID, (r, id) => {
      const uid = r.u16();
      if (exact(r, id)) bool(id, rpc.serves(uid));
    });
    rpc.serve(P.MCU_REBOOT, (r, id) => {
      if (!exact(r, id)) return;
      bool(id, true);
      o.clock.setTimeout(o.reboot, 100);
    });
    rpc.serve(P.CLIENT_STATE_CHANGE, () => {});
    rpc.serve(P.CLIENT_VPIN_CHANGE, () => {});
    rpc.serve(P.CLIENT_PROCESS_EVENT, (r) => {
      // Event 1: the NCP is rebooting, so it comes back at its initial rate.
      if (r.u8() === 1 && o.baud) o.baud.setBaud(o.baud.initial);
    });
    rpc.serve(P.CLIENT_OTA_AVAILABLE, (r, id) => {
      r.str();
      const size = r.u32();
      const type = r.str();
      const version = r.str();
      r.str();
      if (!exact(r, id)) return;
      this.fresh_ = false;
      const s = o.session;
      const key = size + "/" + type + "/" + version;
      // The same offer again (the link doubled it, or the NCP resent it after a lost answer)
      // before any chunk: the same answer, no second erase; ask for chunks again if none came.
      if (key === this.offerKey_ && (s.state === OFFERED || (s.state === RECEIVING && s.received === 0))) {
        bool(id, true);
        if (s.state === RECEIVING && !this.started_) this.otaStart_(START_TRIES);
        return;
      }
      const code = s.offer({ size: size, type: type, version: version });
      this.event_("offer", code, size);
      bool(id, code === OK);
      if (code !== OK) return;
      this.offerKey_ = key;
      this.offers_++;
      this.digesting_ = false;
      o.clock.setTimeout(() => this.prepare_(), 0);
    });
    rpc.serve(P.CLIENT_OTA_WRITE, (r, id) => {
      const offset = r.u32();
      const data = r.bin();
      const crc = r.u32();
      if (!exact(r, id)) return;
      const s = o.session;
      const receiving = s.state === RECEIVING;
      const code = s.write(offset, data, crc);
      // A refused write is answered only if its frame's CRC-8 holds (checked now: frame.ts); else silence, as for any damaged frame.
      if (code !== OK && !rpc.intact()) return;
      // The first write is the NCP's own word that otaUpdateStart arrived, whatever became of its answer.
      if (!this.started_ && offset === 0 && receiving) {
        this.started_ = true;
        this.event_("started", 1, o.chunkSize);
      }
      if (code !== OK) this.event_("refused", code, offset);
      else this.event_("progress", s.received, s.size);
      bool(id, code === OK);
    });
    rpc.serve(P.CLIENT_OTA_FINISH, (r, id) => {
      if (exact(r, id)) this.finish_(id);
    });
    rpc.serve(P.CLIENT_OTA_CANCEL, (r, id) => {
      if (!exact(r, id)) return;
      this.event_("cancelled", o.session.cancel(), 0);
      ok(id);
    });
  }

  /**
   * After power-on: report what runs, then confirm a trial image once the NCP
   * has accepted the report. A lost answer is asked again at once, a refusal
   * a second later, REPORT_TRIES in all; then the 15 s tick tries once more
   * each time until one gets through. One report chain at a time.
   */
  begin(tries?: number): void {
    if (this.reporting_) return;
    this.reporting_ = true;
    this.lastReport_ = this.o_.clock.now();
    this.report_(tries || REPORT_TRIES);
  }

  private report_(tries: number): void {
    const o = this.o_;
    const fw = o.firmware;
    const sent = o.rpc.call(P.BLYNK_SET_FIRMWARE_INFO, (w) => w.str(fw.type).str(fw.version).str(fw.build).str(o.blynk || "1.3.2"), T_CALL, (st, r) => {
      if (!(st === P.ST_OK && r.u8() === 1)) {
        if (tries > 1) o.clock.setTimeout(() => this.report_(tries - 1), st === P.ST_TIMEOUT ? 0 : 1000);
        else this.reporting_ = false;
        return;
      }
      this.reporting_ = false;
      this.reported_ = true;
      this.event_("reported", 0, 0);
      if (o.trial && o.confirm && !this.confirmed) {
        this.confirmed = o.confirm();
        this.event_("confirmed", this.confirmed ? 1 : 0, 0);
      }
    });
    if (!sent) o.clock.setTimeout(() => this.report_(tries), 100);
  }

  /**
   * Called about once a second: ends a session that has stalled for 60 s,
   * and keeps the NCP from thinking the client is gone (it pings after 25 s
   * of silence): a ping every 15 s; after 3 unanswered in a row the link is
   * restored at the initial rate and the running image reported again.
   */
  tick(): void {
    const o = this.o_;
    const now = o.clock.now();
    const code = o.session.tick(now);
    if (code !== OK) this.event_("stalled", code, 0);
    if (o.session.state === RECEIVING) return;
    // No report accepted yet (every try lost): one more try, as often as the ping.
    if (!this.reported_ && now - this.lastReport_ >= 15000) this.begin(1);
    if (now - this.lastPing_ < 15000) return;
    this.lastPing_ = now;
    o.rpc.call(P.NCP_PING, undefined, T_CALL, (st) => {
      this.misses_ = st === P.ST_OK ? 0 : this.misses_ + 1;
      if (this.misses_ < 3) return;
      this.misses_ = 0;
      this.event_("link", 0, 0);
      if (o.baud) o.baud.setBaud(o.baud.initial);
      this.begin();
    });
  }

  private event_(name: string, a: number, b: number): void {
    if (this.o_.onEvent) this.o_.onEvent(name, a, b);
  }

  /**
   * Erase, make sure the link is in sync, maybe speed it up, then ask for
   * chunks. Nothing here cancels: pings that go unanswered still lead to
   * otaUpdateStart, and if no chunk ever comes the session's 60 s stall
   * limit ends it.
   */
  private prepare_(): void {
    const o = this.o_;
    const code = o.session.start();
    this.event_("erased", code, 0);
    if (code !== OK) return;
    this.started_ = false;
    this.ping_(PING_TRIES, () => {
      if (!o.baud) return this.otaStart_(START_TRIES);
      const b = o.baud;
      this.callBool_(P.HW_SET_UART_BAUD, (w) => w.u32(b.fast), (yes) => {
        // A lost answer may hide a switch: try the rate the answer says first, then the other.
        const first = yes ? b.fast : b.initial;
        const other = yes ? b.initial : b.fast;
        b.setBaud(first);
        this.ping_(PING_TRIES, (alive) => {
          if (alive) return this.otaStart_(START_TRIES);
          b.setBaud(other);
          this.ping_(PING_TRIES, (alive2) => {
            if (!alive2) b.setBaud(first);
            this.otaStart_(START_TRIES);
          });
        });
      });
    });
  }

  /**
   * Proposes the chunk size. Confirmed by a true answer or by the first write
   * (Blynk's reference client ignores the answer altogether); a lost or false
   * answer is asked again, `tries` in all, and then the session waits for
   * chunks until its stall limit. A new chain replaces a running one.
   */
  private otaStart_(tries: number): void {
    const o = this.o_;
    const gen = ++this.startGen_;
    const again = (left: number) => {
      if (gen !== this.startGen_ || this.started_ || o.session.state !== RECEIVING) return;
      this.callBool_(P.BLYNK_OTA_START, (w) => w.u16(o.chunkSize), (yes) => {
        if (gen !== this.startGen_ || this.started_ || o.session.state !== RECEIVING) return;
        if (yes) {
          this.started_ = true;
          this.event_("started", 1, o.chunkSize);
        } else if (left > 1) again(left - 1);
        else this.event_("started", 0, o.chunkSize);
      });
    };
    again(tries);
  }

  private ping_(tries: number, done: (alive: boolean) => void): void {
    const sent = this.o_.rpc.call(P.NCP_PING, undefined, T_PING, (st) => {
      if (st === P.ST_OK) done(true);
      else if (tries > 1) this.ping_(tries - 1, done);
      else done(false);
    });
    if (!sent) this.o_.clock.setTimeout(() => this.ping_(tries, done), 50);
  }

  private callBool_(uid: number, args: (w: Writer) => void, done: (yes: boolean) => void): void {
    const sent = this.o_.rpc.call(uid, args, T_CALL, (st, r) => done(st === P.ST_OK && r.u8() === 1));
    if (!sent) this.o_.clock.setTimeout(() => this.callBool_(uid, args, done), 50);
  }

  /**
   * Asks the NCP for the file's SHA-256 while the NCP waits for this answer
   * (5 s). An NCP without GetSHA256 (status 0x13) leaves the header's digest
   * as the check; one that answers it has no digest refuses the image. A lost
   * answer or another status is asked again, DIGEST_TRIES in all, counted
   * afresh at every finish the NCP resends; a finish resent meanwhile starts
   * no second call, and the one answer goes to the latest msgId (an answer
   * too late for the NCP still applies the update: the rebooted image's
   * setFirmwareInfo tells the NCP). Tries used up: a bad status refuses the
   * image; lost answers leave the session as it is, for the next resent
   * finish or the stall limit.
   */
  private finish_(id: number): void {
    const o = this.o_;
    const s = o.session;
    // A resent finish (its answer was lost) gets the same answer again.
    if (s.state === STAGED) return this.answer_(id, OK);
    // ... also after the reboot into the image it staged.
    if (s.state === IDLE && this.fresh_ && o.trial) return o.rpc.reply(id, P.ST_OK, (w) => w.u8(1));
    // Not every byte yet (or no session): the session's own refusal, no digest needed.
    if (s.state !== RECEIVING || s.received !== s.size) return this.answer_(id, s.finish());
    this.finishId_ = id;
    this.digestTries_ = DIGEST_TRIES;
    if (!this.digesting_) this.digest_();
  }

  private digest_(): void {
    const o = this.o_;
    const s = o.session;
    this.digesting_ = s.state === RECEIVING;
    if (!this.digesting_) return;
    const n = this.offers_;
    const sent = o.rpc.call(P.BLYNK_OTA_GET_SHA256, undefined, T_CALL, (st, r) => {
      if (n !== this.offers_) return;
      if (s.state !== RECEIVING) {
        this.digesting_ = false;
        return;
      }
      if (st === P.ST_NO_UID) return this.answer_(this.finishId_, s.finish());
      if (st === P.ST_OK) {
        const digest = r.bin();
        const yes = r.u8() === 1;
        if (r.done() && yes && digest.length === 32) return this.answer_(this.finishId_, s.finish(new Uint8Array(digest)));
        if (r.done() && !yes) return this.answer_(this.finishId_, s.cancel(E_NO_DIGEST));
      }
      if (--this.digestTries_ > 0) return this.digest_();
      this.digesting_ = false;
      if (st !== P.ST_TIMEOUT) this.answer_(this.finishId_, s.cancel(E_NO_DIGEST));
    });
    if (!sent) o.clock.setTimeout(() => n === this.offers_ && this.digest_(), 50);
  }

  private answer_(id: number, code: number): void {
    const o = this.o_;
    this.digesting_ = false;
    this.event_("finished", code, o.session.size);
    o.rpc.reply(id, P.ST_OK, (w) => w.u8(code === OK ? 1 : 0));
    if (code === OK && !this.rebooting_) {
      this.rebooting_ = true;
      o.clock.setTimeout(o.reboot, 200);
    }
  }

  /**
   * The update it serves, for a host to watch (the fuzzer steers by it). A
   * method, not a field: an extra own property measured 0.25 M instructions
   * more a chunk on the interpreter.
   */
  status(): SessionStatus {
    return this.o_.session;
  }
}
