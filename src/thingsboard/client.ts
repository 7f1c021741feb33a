import { E_DIGEST, E_TRIAL_ACTIVE, errorName, OK } from "../core/errors.js";
import { onTrial } from "../core/state.js";
import { type FwTarget, type Known, mergeAttributes, sameTarget, targetOf } from "./attributes.js";
import { fileCheck, fromHex } from "../transport/checksum.js";
import { Pull, type PullSettings } from "../transport/pull.js";
import type { Store } from "../transport/store.js";
import { checksumProblem } from "./checksum.js";
import type { TbDigests, TbSink, TbTransport } from "./ports.js";
import { loadProgress, type Progress, saveProgress } from "./progress.js";

/** The pull's settings (session, clock, chunk size, timeouts, retries: the client passes its options on as they are), and the client's own. */
export interface TbClientOptions extends PullSettings {
  /** The running image's header type and version: reported as current_fw_title / current_fw_version. */
  firmware: { type: string; version: string };
  /** Confirms the running image (boot/confirm.ts); true when it is the confirmed one. */
  confirm: () => boolean;
  reboot: () => void;
  digests: TbDigests;
  store: Store;
  /** After a failure the server or link may have caused, the same package is tried again no sooner than this (doubling per failure, to 1 h; default 60 s). */
  retryAfterMs?: number;
  /** A line for the console (the board's console.log). */
  log?: (line: string) => void;
}

/**
 * ThingsBoard firmware update on the core session: shared attributes name a
 * package, the client offers it to the session (fw_title = image type), pulls
 * it chunk by chunk, has the session verify and mark it, reports fw_state and
 * reboots; after the reboot it reports UPDATED once the new image confirms.
 */
export class TbClient implements TbSink {
  /** fw_state values reported, in order. */
  states: string[] = [];
  lastError = "";
  private o_: TbClientOptions;
  private t_: TbTransport;
  private known_: Known = {};
  private pull_: Pull | undefined;
  private target_: FwTarget | undefined;
  /**
   * Failed in this power-on: not tried again (nor reported again) until the
   * package's identity (title, version, size, checksum, algorithm, url)
   * changes; a failure of the server or link (`retryAt_` > 0) is tried again
   * by an attributes message that comes after `retryAt_`.
   */
  private failed_: FwTarget | undefined;
  private retryAt_ = 0;
  private retries_ = 0;
  /** A non-JSON attributes message was reported: not again until a JSON one comes. */
  private notJson_ = false;
  /** A package offered while the running image is on trial waits for its confirm. */
  private deferred_ = false;
  private staged_ = false;
  private online_ = false;
  /** The last FAILED report: sent again on a reconnect, since a server that closes the link loses it. */
  private failure_: { [key: string]: string } | undefined;

  constructor(o: TbClientOptions, transport: TbTransport) {
    this.o_ = o;
    this.t_ = transport;
    transport.attach(this);
  }

  connected(): void {
    this.online_ = true;
    const fw = this.o_.firmware;
    this.t_.telemetry({ current_fw_title: fw.type, current_fw_version: fw.version });
    // Sent again once (MQTT: a server that closes the link loses it); HTTP knows its POST arrived.
    if (this.failure_ && !this.t_.reliable) this.t_.telemetry(this.failure_);
    this.failure_ = undefined;
    this.verdict_();
    this.t_.requestAttributes();
    if (this.pull_) this.pull_.resend();
  }

  attributes(values: Known, update: boolean): void {
    this.notJson_ = false;
    if (mergeAttributes(this.known_, values, update)) this.consider_();
  }

  chunk(n: number, data: Uint8Array): void {
    if (this.pull_) this.pull_.data(n * this.o_.chunkSize, data);
  }

  pullFailed(error: string, transient?: boolean): void {
    if (!this.pull_) return;
    if (transient) this.pull_.retry(error);
    else this.pull_.fail(error, true);
  }

  notJson(what: string): void {
    if (this.notJson_) return;
    this.notJson_ = true;
    const e = "NOT_JSON: " + what;
    if (this.o_.log) this.o_.log("ThingsBoard: " + e + " is not JSON; the device profile's payload type must be JSON");
    this.lastError = e;
    this.state_("FAILED", e);
  }

  /** For the application, once healthy: confirms the image, then reports UPDATED if it came from ThingsBoard. */
  confirm(): boolean {
    const ok = this.o_.confirm();
    if (ok) {
      this.verdict_();
      if (this.deferred_) {
        this.deferred_ = false;
        this.consider_();
      }
    }
    return ok;
  }

  private consider_(): void {
    const t = targetOf(this.known_);
    if (this.pull_) {
      if (sameTarget(t, this.target_)) return;
      // Unassigned or replaced mid-download: drop it quietly; the staged bytes are worthless now.
      this.pull_.stop();
      this.pull_ = undefined;
      this.target_ = undefined;
      this.o_.session.cancel();
      saveProgress(this.o_.store, undefined);
    }
    if (!t || this.staged_) return;
    const fw = this.o_.firmware;
    if (t.title === fw.type && t.version === fw.version) return;
    if (sameTarget(t, this.failed_)) {
      if (!this.retryAt_ || this.o_.clock.now() < this.retryAt_) return;
    } else this.retries_ = 0;
    this.failed_ = undefined;
    this.retryAt_ = 0;
    const p = loadProgress(this.o_.store);
    if (p && (p.kind === "up" || (p.kind === "rb" && sameTarget(p.target, t)))) return;
    this.begin_(t, p);
  }

  private begin_(t: FwTarget, p: Progress | undefined): void {
    if (t.url) return this.fail_(t, "URL_PACKAGE");
    const problem = checksumProblem(t.algorithm, t.checksum, this.o_.digests);
    if (problem) return this.fail_(t, problem);
    const s = this.o_.session;
    const offer = { size: t.size, type: t.title, version: t.version };
    let code = -1;
    if (p && p.kind === "dl" && sameTarget(p.target, t)) code = s.resume(offer, p.bytes || 0, p.crc || 0);
    if (code !== OK) {
      // start() erases the slot: no saved checkpoint may vouch for it any more.
      saveProgress(this.o_.store, undefined);
      code = s.offer(offer);
      if (code === OK) code = s.start();
    }
    if (code === E_TRIAL_ACTIVE) {
      this.deferred_ = true;
      return;
    }
    if (code !== OK) return this.fail_(t, errorName(code));
    this.target_ = t;
    this.state_("DOWNLOADING", "");
    const o = this.o_;
    const tr = this.t_;
    // ThingsBoard addresses chunks by index: the pull asks at multiples of chunkSize.
    this.pull_ = new Pull(o, {
      size: t.size, aligned: true,
      fetch: (offset) => tr.fetch(t, offset / o.chunkSize, o.chunkSize),
      onCheckpoint: (c) => saveProgress(o.store, { kind: "dl", target: t, bytes: c.bytes, crc: c.crc }),
      onEnd: (error, keep) => this.pulled_(t, error, keep),
    });
    tr.begin();
    this.pull_.start();
  }

  private pulled_(t: FwTarget, error: string, keep: boolean): void {
    this.pull_ = undefined;
    this.target_ = undefined;
    if (error) {
      if (!keep) saveProgress(this.o_.store, undefined);
      this.fail_(t, error);
      // The server or the link failed, not the data: a later attributes message may try again, after a backoff.
      if (keep) this.retryAt_ = this.o_.clock.now() + Math.min(3600000, (this.o_.retryAfterMs || 60000) * Math.pow(2, this.retries_++));
      return;
    }
    this.state_("DOWNLOADED", "");
    const s = this.o_.session;
    // SHA256 is the session's own whole-file check; any other algorithm runs as its extra check.
    const code = t.algorithm === "SHA256" ? s.finish(fromHex(t.checksum)) : s.finish(undefined, fileCheck(t.algorithm, t.checksum, this.o_.digests));
    saveProgress(this.o_.store, code === OK ? { kind: "up", target: t } : undefined);
    if (code !== OK) return this.fail_(t, errorName(code) + (code === E_DIGEST ? ": " + t.algorithm : ""));
    this.staged_ = true;
    this.state_("VERIFIED", "");
    this.state_("UPDATING", "", () => this.o_.reboot());
  }

  /** After a reboot: the image staged before it either runs and confirmed (UPDATED) or was rolled back. */
  private verdict_(): void {
    const p = loadProgress(this.o_.store);
    if (!this.online_ || this.staged_ || !p || p.kind !== "up") return;
    const fw = this.o_.firmware;
    if (p.target.title === fw.type && p.target.version === fw.version) {
      if (onTrial(this.o_.session.bootState())) return;
      saveProgress(this.o_.store, undefined);
      this.states.push("UPDATED");
      this.t_.telemetry({ fw_state: "UPDATED", fw_error: "", current_fw_title: fw.type, current_fw_version: fw.version });
      return;
    }
    saveProgress(this.o_.store, { kind: "rb", target: p.target });
    this.fail_(p.target, "ROLLED_BACK");
  }

  private fail_(t: FwTarget, error: string): void {
    this.failed_ = t;
    this.retryAt_ = 0;
    this.lastError = error;
    this.state_("FAILED", error);
  }

  private state_(state: string, error: string, done?: () => void): void {
    this.states.push(state);
    // fw_error with every state ("" clears an old one), as ThingsBoard's device SDKs send it.
    const v: { [key: string]: string } = { fw_state: state, fw_error: error };
    this.failure_ = error ? v : undefined;
    this.t_.telemetry(v, done);
  }
}
