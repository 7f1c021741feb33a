import { decideBoot } from "../boot/decide.js";
import { OK, errorName } from "../core/errors.js";
import type { Session, SessionEnv } from "../core/session.js";
import type { Flash } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";
import { type Board, boardStorage } from "../board/files.js";
import { crc32, sha256 } from "../platform/host/digest.js";
import { FakeClock } from "../platform/host/clock.js";
import { PoweredBoard } from "../testbench/powered-board.js";
import { sessionTransport } from "../testbench/transports.js";
import { type Cut, type FlashModel, NorFlash } from "../platform/host/norflash.js";
import { PowerCut } from "../platform/host/power.js";
import { type Area, type Img, readRecord, sameOutside } from "./oracle.js";
import type { StorageEmu } from "../testbench/storage.js";
import { Probe } from "./probe.js";
import { type Findings, type Running, type Staged, type Truth, checkFlash, identify, judgeStart } from "./truth.js";

export type { Running, Truth };

export const FW_TYPE = "TMPLSWEEP01";

/** reset() / load() on the board: JavaScript state gone, the boot files run again, flash untouched. */
class SoftReset extends Error {}

export interface DeviceState {
  data: Uint8Array;
  truth: Truth;
  /** Set when the state was saved with an image already started (the confirm scenario). */
  resume?: Running;
}

/** Deliberate faults, so tests can show that the checks catch them. */
export interface Hooks {
  flash?: (f: Flash, layout: Layout) => Flash;
  /** The boot decision in place of decideBoot. */
  boot?: typeof decideBoot;
  session?: (o: SessionEnv, chunkMax: number) => Session;
}

/** What else happens on the board besides the update (scenarios.ts). */
export interface DeviceOptions {
  /** The application keeps rewriting its own Storage files (so Storage compacts), at every power-up and every 2nd chunk. */
  appFiles?: boolean;
  /** After every power-up, reset() / load() twice (the stub runs without .bootPowerOn), once mid-update and once after finish. */
  softResets?: boolean;
}

export interface RunResult {
  ops: number;
  /**
   * Runs that ended with Espruino erasing all of Storage at power-on (a torn
   * header or a cut compaction of the application's files; jsinteractive.c
   * "Storage is corrupt."): nothing on these boards survives that, so they
   * are counted apart. A wipe after a cut in an OTA operation is bricked.
   */
  wiped: string[];
  /** Each cut that fired: the operation number and what the device was doing. */
  cuts: { at: number; phase: string; torn: boolean }[];
  bricked: string[];
  lost: string[];
  end: DeviceState;
}

export interface Campaign {
  /** The image the server delivers, retrying from scratch until it sees it run. */
  target: Img;
  /** The version that must end up confirmed and running. */
  expect: string;
  known: Img[];
}

/**
 * One device and its server: each loop is a power-up (boot stub), then the
 * running app (a healthy one confirms itself), then the server (offers the
 * target unless done; a staged image means a reboot). A power cut anywhere
 * just starts the next loop, as a real board would.
 */
export class Device implements Findings {
  readonly flash: NorFlash;
  readonly bricked: string[] = [];
  readonly lost: string[] = [];
  private probe_: Probe;
  private powered_: PoweredBoard<Session>;
  private session_: Session | undefined;
  private code_: Flash;
  private t_: Truth;
  private resume_: Running | undefined;
  private why_ = "";
  private cutsSoFar_ = 0;
  private lastCut_ = "";
  private wiped_: string[] = [];
  private storage_: StorageEmu | undefined;
  private appArea_: Area | undefined;
  private appWrites_ = 0;
  private softResetDone_ = false;
  private softAfterFinish_ = false;
  private soft_ = false;

  constructor(private board_: Board, private c_: Campaign, private start_: DeviceState, hooks_: Hooks = {}, model?: FlashModel,
    private opts_: DeviceOptions = {}) {
    // Storage's own erase programs zeros over programmed name bytes, which a strict part refuses.
    this.flash = new NorFlash({ geometry: board_.geometry, data: start_.data.slice(), model: model, strict: !opts_.appFiles });
    const plan = board_.plan;
    if (plan) {
      // Storage itself exists only as Espruino builds it (boardStorage): the 0x00-erasing and
      // 16/32-byte variants test the OTA core alone.
      const st = board_.storage;
      this.appArea_ = { start: plan.end, end: st.start + st.size };
      this.storage_ = boardStorage(board_, this.storageGuard_(plan.files[0].header, plan.end));
    }
    this.probe_ = new Probe(this.flash, board_.layout);
    this.code_ = hooks_.flash ? hooks_.flash(this.probe_, board_.layout) : this.probe_;
    // The board's power-ups, with the sweep playing the server on the session itself.
    this.powered_ = new PoweredBoard({
      board: board_, flash: this.flash, code: this.code_, clock: new FakeClock(), decide: hooks_.boot, transport: sessionTransport(hooks_.session),
    });
    const t = start_.truth;
    this.t_ = { confirmed: t.confirmed, staged: t.staged && { ...t.staged }, serverDone: t.serverDone, recordSeen: t.recordSeen };
    this.resume_ = start_.resume;
  }

  /**
   * Runs to the goal. `plan[0]` fires first; each later cut fires its `at`
   * operations after the power-on that followed the one before.
   */
  run(plan: Cut[] = [], stop?: (r: Running) => boolean): RunResult {
    const cuts: RunResult["cuts"] = [];
    const budget = 4 * (this.board_.layout.maxTrials + 3) * (1 + plan.length);
    let reached = false;
    if (plan.length) this.flash.cutPower(plan[0]);
    for (let i = 0; i < budget && !reached; i++) {
      try {
        const r = this.resume_ || this.powerUp_();
        this.resume_ = undefined;
        if (!r) break;
        if (this.opts_.softResets) this.softResets_(r, 2);
        // The application starts: the session it will offer to, and its confirm.
        this.session_ = this.powered_.start({ slot: r.slot, reason: r.reason, type: FW_TYPE, version: r.img.version, build: "" });
        if (stop && stop(r)) {
          this.resume_ = r;
          reached = true;
        } else if (this.settled_(r)) {
          reached = true;
        } else {
          this.app_(r);
          this.appFile_(r.slot);
          this.server_(r);
        }
      } catch (e) {
        if (e instanceof SoftReset) {
          this.soft_ = true;
          continue;
        }
        if (!(e instanceof PowerCut)) {
          this.bricked.push(this.probe_.phase.name + ": threw " + String(e));
          break;
        }
      }
      if (this.flash.dead) {
        this.cutsSoFar_++;
        this.lastCut_ = this.probe_.phase.name;
        cuts.push({ at: this.flash.ops, phase: this.probe_.phase.name, torn: plan[cuts.length].tear });
        this.flash.powerOn();
        const next = plan[cuts.length];
        if (next) this.flash.cutPower({ ...next, at: this.flash.ops + next.at });
      }
    }
    if (!reached && !this.bricked.length && !this.wiped_.length) {
      this.bricked.push("not back to v" + this.c_.expect + " confirmed within " + budget + " power-ups" + this.why_);
    }
    for (const s of this.probe_.stray) this.bricked.push("stray: " + s);
    const mayChange = this.appArea_ ? this.probe_.areas().concat([this.appArea_]) : this.probe_.areas();
    if (!this.wiped_.length && !sameOutside(this.start_.data, this.flash.data, this.board_.geometry.base, mayChange)) {
      this.bricked.push("bytes changed outside the slots, the record banks" + (this.appArea_ ? " and the application's Storage" : ""));
    }
    const t = this.t_;
    const end = { data: this.flash.data.slice(), truth: { ...t, staged: t.staged && { ...t.staged } }, resume: this.resume_ };
    return { ops: this.flash.ops, cuts: cuts, bricked: this.bricked, lost: this.lost, wiped: this.wiped_, end: end };
  }

  /** The goal: the expected version is the confirmed image, runs, the record pends nothing else, the server is done. */
  private settled_(r: Running): boolean {
    const t = this.t_;
    const rec = r.rec;
    return r.img.version === this.c_.expect && t.serverDone && t.confirmed.img === r.img && r.slot === t.confirmed.slot &&
      !!rec && (rec.pending === 255 || (rec.pending === r.slot && rec.confirmUnit));
  }

  /** A call into the code under test returned, but if the power is off its result never happened. */
  private live_<T>(v: T): T {
    if (this.flash.dead) throw new PowerCut(this.flash.ops);
    return v;
  }

  private phase_(name: string, running: number, session: boolean): void {
    this.probe_.phase = { name: name, running: running, session: session };
  }

  /**
   * Espruino's first-boot Storage check (jsinteractive.c:862-876), which
   * erases all of Storage when the header after the last file is neither
   * valid nor erased. Our files are never written as files after the
   * install, so only the application's own Storage writes (a torn header,
   * possibly written over later, or a cut compaction) may lead here.
   */
  private storageCheck_(): boolean {
    if (!this.storage_ || this.soft_) return true;
    this.phase_("storage check", -1, false);
    if (this.storage_.isValid()) return true;
    // OTA operations only ever write inside the slots and banks (the Probe fails any other write), so
    // Storage's own structure can only have been broken by the application's Storage writes.
    const why = "Storage wiped at power-on (last cut in " + (this.lastCut_ || "no operation") + ")";
    if (this.appWrites_ > 0) this.wiped_.push(why);
    else this.bricked.push(why + " though the application wrote no Storage file");
    return false;
  }

  /** The stub run again by reset() / load(): the same image, nothing written. */
  private softResets_(r: Running, n: number): void {
    const ops = this.flash.ops;
    for (let k = 0; k < n; k++) {
      this.phase_("soft reset", r.slot, false);
      const ch = this.live_(this.powered_.boot(false));
      if (ch.slot !== r.slot) this.bricked.push("reset() started slot " + ch.slot + ", not slot " + r.slot + " as at power-on");
    }
    if (this.flash.ops !== ops) this.bricked.push("reset() wrote to flash");
  }

  /** The application rewrites one of its three Storage files; any refusal (Storage full) is the application's. */
  private appFile_(running: number): void {
    if (!this.opts_.appFiles || !this.storage_) return;
    const n = this.appWrites_++;
    this.phase_("app storage " + n, running, false);
    // A quarter of the room each: three live files and one rewrite's trash fill it, so Storage compacts often.
    const room = this.appArea_ ? this.appArea_.end - this.appArea_.start : 0;
    const data = new Uint8Array(Math.max(64, Math.floor(room / 4) - 64 - (n % 3) * 32)).fill(0x41 + (n % 26));
    try {
      this.storage_.write("app" + (n % 3), data);
    } catch (e) {
      if (e instanceof PowerCut) throw e;
      // Storage full, or an Espruino error: the application's problem.
    }
    this.live_(0);
  }

  /** The flash Storage writes through: it must never touch the OTA files. */
  private storageGuard_(start: number, end: number): Flash {
    const f = this.flash;
    const judge = (s: number, e: number, what: string) => {
      if (s < end && start < e) this.bricked.push(this.probe_.phase.name + ": Storage " + what + " 0x" + s.toString(16) + " inside the OTA files");
    };
    return {
      status: () => f.status(), block: (a) => f.block(a), read: (n, a) => f.read(n, a),
      write: (b, a) => {
        judge(a, a + b.length, "write");
        f.write(b, a);
      },
      eraseBlock: (s, e) => {
        judge(s, e, "erase");
        f.eraseBlock(s, e);
      },
    };
  }

  private powerUp_(): Running | undefined {
    if (!this.storageCheck_()) return undefined;
    const soft = this.soft_;
    this.soft_ = false;
    this.phase_("boot", -1, false);
    const L = this.board_.layout;
    const rec = checkFlash(this.flash, L, this.t_, this);
    if (soft) {
      // A reset() mid-update: the stub starts what the last power-on started, writing nothing.
      const ch = this.live_(this.powered_.boot(false));
      const img = identify(this.flash, L, ch.slot, this.c_.known);
      if (!img) {
        this.bricked.push("reset() started no valid image");
        return undefined;
      }
      return { slot: ch.slot, reason: ch.reason, img: img, rec: rec };
    }
    const ch = this.live_(this.powered_.boot());
    const img = identify(this.flash, L, ch.slot, this.c_.known);
    if (!img || !ch.info || ch.info.version !== img.version) {
      this.bricked.push(ch.slot < 0 ? "no image started" : "started slot " + ch.slot + ", which holds no complete valid image");
      return undefined;
    }
    const r = { slot: ch.slot, reason: ch.reason, img: img, rec: rec };
    judgeStart(this.t_, L, r, this);
    return r;
  }

  private app_(r: Running): void {
    if (!r.img.healthy) return;
    this.phase_("confirm", r.slot, false);
    const st = this.t_.staged;
    const mine = !!st && st.finished && st.slot === r.slot && st.img === r.img;
    if (mine) st.confirming = true;
    const ok = this.live_(this.powered_.confirm());
    if (ok && mine) {
      this.t_.confirmed = { slot: r.slot, img: r.img };
      this.t_.staged = undefined;
    } else if (!ok) {
      if (mine) st.confirming = false;
      this.bricked.push("healthy v" + r.img.version + " could not confirm itself");
    }
  }

  private server_(r: Running): void {
    const t = this.t_;
    const img = this.c_.target;
    if (r.img === img) t.serverDone = true;
    // Cuts while it was on trial can spend all of a healthy image's trials: it is rolled back, and the
    // server, seeing the old version report, offers it again. Without any cut that is a bug.
    const was = t.staged;
    const rec = readRecord(this.flash, this.board_.layout.banks);
    if (t.serverDone && r.img !== img && img.healthy && was && was.finished && rec && rec.pending === 255 && rec.confirmed !== was.slot) {
      if (!this.cutsSoFar_) this.bricked.push("healthy v" + img.version + " rolled back without a power cut");
      t.serverDone = false;
      t.staged = undefined;
    }
    if (t.serverDone) return;
    this.phase_("offer", r.slot, true);
    const s = this.session_ as Session;
    const refused = (e: number) => {
      this.why_ = "; last refusal: " + this.probe_.phase.name + " " + errorName(e);
    };
    let e = this.live_(s.offer({ size: img.bytes.length, type: FW_TYPE, version: img.version }));
    if (e !== OK) return refused(e);
    this.phase_("start", r.slot, true);
    t.staged = undefined;
    if ((e = this.live_(s.start())) !== OK) return refused(e);
    const st: Staged = { slot: s.slot, img: img, finished: false, confirming: false, trials: 0 };
    t.staged = st;
    const n = this.board_.chunkSize;
    for (let at = 0; at < img.bytes.length; at += n) {
      this.phase_("chunk " + at / n, r.slot, true);
      const c = img.bytes.subarray(at, at + n);
      if ((e = this.live_(s.write(at, c, crc32(c)))) !== OK) return refused(e);
      if ((at / n) % 2 === 1) this.appFile_(r.slot);
      if (this.opts_.softResets && !this.softResetDone_ && at / n === 2) {
        this.softResetDone_ = true;
        throw new SoftReset();
      }
    }
    this.phase_("finish", r.slot, true);
    st.finished = true;
    if ((e = this.live_(s.finish(sha256(img.bytes)))) !== OK) {
      st.finished = false;
      return refused(e);
    }
    t.serverDone = true;
    // A reset() between finish and the reboot: the stub starts the running image again, no trial spent.
    if (this.opts_.softResets && !this.softAfterFinish_) {
      this.softAfterFinish_ = true;
      throw new SoftReset();
    }
  }
}
