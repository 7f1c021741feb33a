import { confirmRunning } from "../boot/confirm.js";
import { decideBoot } from "../boot/decide.js";
import { OK, errorName } from "../core/errors.js";
import { BootRecord } from "../core/record.js";
import { Session, type SessionOptions } from "../core/session.js";
import type { Flash } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";
import type { Board } from "../platform/host/boards.js";
import { crc32, hostDigest, sha256 } from "../platform/host/digest.js";
import { type Cut, type FlashModel, NorFlash } from "../platform/host/norflash.js";
import { PowerCut } from "../platform/host/power.js";
import { type Img, readRecord, sameOutside } from "./oracle.js";
import { Probe } from "./probe.js";
import { type Findings, type Running, type Staged, type Truth, checkFlash, identify, judgeStart } from "./truth.js";

export type { Running, Truth };

export const FW_TYPE = "TMPLSWEEP01";

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
  session?: (o: SessionOptions) => Session;
}

export interface RunResult {
  ops: number;
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
  private code_: Flash;
  private t_: Truth;
  private resume_: Running | undefined;
  private why_ = "";
  private cutsSoFar_ = 0;

  constructor(private board_: Board, private c_: Campaign, private start_: DeviceState, private hooks_: Hooks = {}, model?: FlashModel) {
    this.flash = new NorFlash({ geometry: board_.geometry, data: start_.data.slice(), model: model });
    this.probe_ = new Probe(this.flash, board_.layout);
    this.code_ = hooks_.flash ? hooks_.flash(this.probe_, board_.layout) : this.probe_;
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
        if (stop && stop(r)) {
          this.resume_ = r;
          reached = true;
        } else if (this.settled_(r)) {
          reached = true;
        } else {
          this.app_(r);
          this.server_(r);
        }
      } catch (e) {
        if (!(e instanceof PowerCut)) {
          this.bricked.push(this.probe_.phase.name + ": threw " + String(e));
          break;
        }
      }
      if (this.flash.dead) {
        this.cutsSoFar_++;
        cuts.push({ at: this.flash.ops, phase: this.probe_.phase.name, torn: plan[cuts.length].tear });
        this.flash.powerOn();
        const next = plan[cuts.length];
        if (next) this.flash.cutPower({ ...next, at: this.flash.ops + next.at });
      }
    }
    if (!reached && !this.bricked.length) {
      this.bricked.push("not back to v" + this.c_.expect + " confirmed within " + budget + " power-ups" + this.why_);
    }
    for (const s of this.probe_.stray) this.bricked.push("stray: " + s);
    if (!sameOutside(this.start_.data, this.flash.data, this.board_.geometry.base, this.probe_.areas())) {
      this.bricked.push("bytes changed outside the slots and record banks");
    }
    const t = this.t_;
    const end = { data: this.flash.data.slice(), truth: { ...t, staged: t.staged && { ...t.staged } }, resume: this.resume_ };
    return { ops: this.flash.ops, cuts: cuts, bricked: this.bricked, lost: this.lost, end: end };
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

  private powerUp_(): Running | undefined {
    this.phase_("boot", -1, false);
    const L = this.board_.layout;
    const rec = checkFlash(this.flash, L, this.t_, this);
    const ch = this.live_((this.hooks_.boot || decideBoot)({ flash: this.code_, digest: hostDigest(this.code_), layout: L }));
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
    const ok = this.live_(confirmRunning({ flash: this.code_, digest: hostDigest(this.code_), layout: this.board_.layout, running: r.slot }));
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
    const code = this.code_;
    const L = this.board_.layout;
    const o: SessionOptions = {
      flash: code, digest: hostDigest(code), layout: L, record: new BootRecord({ flash: code, crc32: crc32, banks: L.banks }),
      firmware: { type: FW_TYPE, version: r.img.version }, running: r.slot, chunkMax: this.board_.chunkSize, now: () => 0,
    };
    const s = this.hooks_.session ? this.hooks_.session(o) : new Session(o);
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
    }
    this.phase_("finish", r.slot, true);
    st.finished = true;
    if ((e = this.live_(s.finish(sha256(img.bytes)))) !== OK) {
      st.finished = false;
      return refused(e);
    }
    t.serverDone = true;
  }
}
