import { OTA_FILE } from "../core/storage-plan.js";
import { decideBoot } from "../boot/decide.js";
import { confirmRunning } from "../boot/confirm.js";
import { OK } from "../core/errors.js";
import { verifySlot } from "../boot/verify.js";
import type { NcpClient } from "../ncp/client.js";
import { crc8 } from "../ncp/crc8.js";
import { startNcp } from "../ncp/start.js";
import { type Board, boardStorage } from "../board/files.js";
import { FakeClock } from "../platform/host/clock.js";
import { hostDigest } from "../platform/host/digest.js";
import type { NorFlash } from "../platform/host/norflash.js";

/**
 * One powered-on client fed raw bytes as if from the NCP. Counts what must
 * never happen: an exception out of the client, and any flash write or erase
 * outside the staging slot and the boot-record banks.
 */
export class FuzzTarget {
  readonly clock = new FakeClock();
  crashes = 0;
  strayWrites = 0;
  replies = 0;
  reboots = 0;
  firstCrash = "";
  /** Client events seen ("offer:0", "finished:20", "confirmed:1", ...): which states the inputs reached. */
  events: Record<string, number> = {};
  client: NcpClient | undefined;
  private handler_: (b: Uint8Array) => void = () => {};
  private logFrom_ = 0;
  private running_ = 0;
  private life_ = 0;

  constructor(readonly board: Board, readonly flash: NorFlash) {
    // The factory install before this is not the client's doing.
    this.logFrom_ = flash.log.length;
    this.powerOn();
  }

  powerOn(): void {
    // Writes of the life that ends are judged against its own staging slot.
    if (this.life_) this.audit_();
    const life = ++this.life_;
    this.flash.powerOn();
    const digest = hostDigest(this.flash);
    const layout = this.board.layout;
    const b = decideBoot({ flash: this.flash, digest: digest, layout: layout });
    if (!b.info) throw new Error("fuzz target has no image");
    this.running_ = b.slot;
    const clock = this.clock.scoped(() => life === this.life_, (f) => this.guard_(f));
    this.client = startNcp({
      link: { write: (b) => this.onReply_(b), onData: (h) => (this.handler_ = h), setBaud: () => {} },
      clock: clock, flash: this.flash, digest: digest, layout: layout, crc8: crc8,
      boot: { slot: b.slot, reason: b.reason, type: b.info.type, version: b.info.version, build: b.info.build },
      chunkSize: this.board.chunkSize,
      confirm: () => confirmRunning({ flash: this.flash, digest: digest, layout: layout, running: b.slot }),
      system: {
        reboot: () => {
          this.reboots++;
          this.powerOn();
        },
        memoryFree: () => 0,
      },
      onEvent: (n, a) => {
        if (n === "progress") return;
        const k = n + ":" + a;
        this.events[k] = (this.events[k] || 0) + 1;
      },
    });
  }

  /** What the client sends; the fuzzer's NCP answers its calls through this. */
  onReply: (b: Uint8Array) => void = () => {};

  private onReply_(b: Uint8Array): void {
    this.replies++;
    this.onReply(b);
  }

  /** Delivers bytes to the client and lets its timers run for `ms`. */
  feed(bytes: Uint8Array, ms = 0): void {
    this.guard_(() => this.handler_(bytes));
    if (ms) this.clock.advance(ms);
    this.audit_();
  }

  private guard_(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.crashes++;
      if (!this.firstCrash) this.firstCrash = e instanceof Error ? e.stack || e.message : String(e);
    }
  }

  /** Every flash operation since the last audit must hit the staging slot or a record bank. */
  private audit_(): void {
    const log = this.flash.log;
    const L = this.board.layout;
    const rec = this.flash.block(L.banks[0]);
    const rec2 = this.flash.block(L.banks[1]);
    const allowed = [L.slots[1 - this.running_], { address: rec.start, size: rec.length }, { address: rec2.start, size: rec2.length }];
    for (let i = this.logFrom_; i < log.length; i++) {
      const op = log[i];
      if (!allowed.some((a) => op.start >= a.address && op.end <= a.address + a.size)) {
        this.strayWrites++;
        if (process.env.FUZZ_DEBUG) console.log("stray", op, "running", this.running_, this.life_);
      }
    }
    this.logFrom_ = log.length;
  }

  /** True when the running image still verifies (header, board, payload SHA-256). */
  /** The running image still verifies, and Storage (which holds the OTA files) would pass Espruino's power-on check. */
  intact(): boolean {
    const L = this.board.layout;
    const st = boardStorage(this.board, this.flash);
    if (st && (!st.isValid() || !st.list().includes(OTA_FILE))) return false;
    return verifySlot(this.flash, hostDigest(this.flash), L.slots[this.running_], L.board).code === OK;
  }
}
