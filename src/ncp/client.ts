import type { Clock } from "../hal/clock.js";
import { E_NO_DIGEST, OK } from "../core/errors.js";
import { HEADER_SIZE } from "../core/header.js";
import { RECEIVING, STAGED, type Session } from "../core/session.js";
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
      const code = o.session.offer({ size: size, type: type, version: version });
      this.event_("offer", code, size);
      bool(id, code === OK);
      if (code === OK) o.clock.setTimeout(() => this.prepare_(), 0);
    });
    rpc.serve(P.CLIENT_OTA_WRITE, (r, id) => {
      const offset = r.u32();
      const data = r.bin();
      const crc = r.u32();
      if (!exact(r, id)) return;
      const code = o.session.write(offset, data, crc);
      if (code !== OK) this.event_("refused", code, offset);
      else this.event_("progress", o.session.received, o.session.size);
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

  /** After power-on: report what runs, then confirm a trial image once the NCP has answered. */
  begin(): void {
    const o = this.o_;
    const fw = o.firmware;
    const sent = o.rpc.call(P.BLYNK_SET_FIRMWARE_INFO, (w) => w.str(fw.type).str(fw.version).str(fw.build).str(o.blynk || "1.3.2"), T_CALL, (st, r) => {
      const accepted = st === P.ST_OK && r.u8() === 1;
      if (!accepted) {
        o.clock.setTimeout(() => this.begin(), 2000);
        return;
      }
      this.event_("reported", 0, 0);
      if (o.trial && o.confirm && !this.confirmed) {
        this.confirmed = o.confirm();
        this.event_("confirmed", this.confirmed ? 1 : 0, 0);
      }
    });
    if (!sent) o.clock.setTimeout(() => this.begin(), 500);
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
    if (now - this.lastPing_ < 15000 || o.session.state === RECEIVING) return;
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

  /** Erase, make sure the link is in sync, maybe speed it up, then ask for chunks. */
  private prepare_(): void {
    const o = this.o_;
    const code = o.session.start();
    this.event_("erased", code, 0);
    if (code !== OK) return;
    this.ping_(PING_TRIES, (alive) => {
      if (!alive) return this.abort_();
      if (!o.baud) return this.otaStart_();
      const b = o.baud;
      this.callBool_(P.HW_SET_UART_BAUD, (w) => w.u32(b.fast), (yes) => {
        if (!yes) return this.otaStart_();
        b.setBaud(b.fast);
        this.ping_(PING_TRIES, (fast) => {
          if (fast) return this.otaStart_();
          // The NCP did not follow (or rebooted to its initial rate): go back.
          b.setBaud(b.initial);
          this.ping_(PING_TRIES, (slow) => (slow ? this.otaStart_() : this.abort_()));
        });
      });
    });
  }

  private otaStart_(): void {
    const o = this.o_;
    this.callBool_(P.BLYNK_OTA_START, (w) => w.u16(o.chunkSize), (yes) => {
      this.event_("started", yes ? 1 : 0, o.chunkSize);
      if (!yes) this.abort_();
    });
  }

  private abort_(): void {
    this.event_("cancelled", this.o_.session.cancel(), 0);
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
   * Asks the NCP for the file's SHA-256 while the NCP waits for this answer.
   * An NCP without GetSHA256 (status 0x13) leaves the header's digest as the
   * check; any other failure to get it refuses the image.
   */
  private finish_(id: number): void {
    const o = this.o_;
    const answer = (code: number) => {
      this.event_("finished", code, o.session.size);
      o.rpc.reply(id, P.ST_OK, (w) => w.u8(code === OK ? 1 : 0));
      if (code === OK) o.clock.setTimeout(o.reboot, 200);
    };
    // A resent finish (its answer was lost) gets the same answer again.
    if (o.session.state === STAGED) return answer(OK);
    if (o.session.state !== RECEIVING || o.session.received < HEADER_SIZE) return answer(o.session.finish());
    const sent = o.rpc.call(P.BLYNK_OTA_GET_SHA256, undefined, T_CALL, (st, r) => {
      if (st === P.ST_NO_UID) return answer(o.session.finish());
      const digest = r.bin();
      const yes = r.u8() === 1;
      if (st !== P.ST_OK || !r.done() || !yes || digest.length !== 32) return answer(o.session.cancel(E_NO_DIGEST));
      answer(o.session.finish(new Uint8Array(digest)));
    });
    if (!sent) answer(o.session.cancel(E_NO_DIGEST));
  }
}
