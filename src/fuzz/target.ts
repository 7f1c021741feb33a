import { OTA_FILE } from "../core/storage-plan.js";
import { OK } from "../core/errors.js";
import { verifySlot } from "../boot/verify.js";
import type { NcpClient } from "../ncp/client.js";
import { type Board, boardStorage } from "../board/files.js";
import { FakeClock } from "../platform/host/clock.js";
import { hostDigest } from "../platform/host/digest.js";
import type { NorFlash } from "../platform/host/norflash.js";
import type { Link } from "../hal/link.js";
import { PoweredBoard, type Transport } from "../testbench/powered-board.js";
import { ncpTransport } from "../testbench/transports.js";

/**
 * One powered-on client (a PoweredBoard with the transport under test) fed
 * raw bytes as if from its peer. Counts what must never happen: an exception
 * out of the client, and any flash write or erase outside the staging slot
 * and the boot-record banks.
 */
export class FuzzTarget<C = NcpClient> {
  readonly clock = new FakeClock();
  crashes = 0;
  strayWrites = 0;
  replies = 0;
  reboots = 0;
  firstCrash = "";
  /** Client events seen ("offer:0", "finished:20", "confirmed:1", ...): which states the inputs reached. */
  events: Record<string, number> = {};
  private handler_: (b: Uint8Array) => void = () => {};
  private logFrom_ = 0;
  private running_ = 0;
  private board_: PoweredBoard<C>;

  /**
   * `transport` makes the transport under test from the link the fuzzer feeds and the event counter (default Blynk.NCP);
   * `expected`: exceptions that are not crashes (the power-cut sweep's PowerCut once the flash is off).
   */
  constructor(readonly board: Board, readonly flash: NorFlash,
    transport?: (link: Link, onEvent: (name: string, a?: unknown) => void) => Transport<C>, private expected_?: (e: unknown) => boolean) {
    // The factory install before this is not the client's doing.
    this.logFrom_ = flash.log.length;
    const link: Link = { write: (b) => this.onReply_(b), onData: (h) => (this.handler_ = h), setBaud: () => {} };
    const onEvent = (n: string, a?: unknown) => {
      if (n === "progress") return;
      // A string argument longer than a version (a decoder's complaint) would make a key per input.
      const k = n + ":" + (typeof a === "string" && a.length > 12 ? "" : a);
      this.events[k] = (this.events[k] || 0) + 1;
    };
    const inner = transport ? transport(link, onEvent) : (ncpTransport({ link: link, onEvent: onEvent }) as unknown as Transport<C>);
    this.board_ = new PoweredBoard<C>({
      board: board, flash: flash, clock: this.clock, wrap: (f) => this.guard_(f),
      transport: {
        name: inner.name,
        start: (p) => {
          // Writes of the life that ends are judged against its own staging slot.
          this.audit_();
          this.running_ = p.env.boot.slot;
          return inner.start({ ...p, reboot: () => {
            this.reboots++;
            p.reboot();
          } });
        },
      },
    });
    this.powerOn();
  }

  /** The client of the life now running. */
  get client(): C | undefined {
    return this.board_.client;
  }

  powerOn(): void {
    if (!this.board_.powerOn().info) throw new Error("fuzz target has no image");
  }

  /** What the client sends; the fuzzer's NCP answers its calls through this. */
  onReply: (b: Uint8Array) => void = () => {};

  private onReply_(b: Uint8Array): void {
    this.replies++;
    this.onReply(b);
  }

  /** Lets the client's timers run until `done` or for `ms`, with nothing delivered. */
  idleUntil(done: () => boolean, ms: number): void {
    this.clock.runUntil(done, ms);
    this.audit_();
  }

  /** Lets the client's timers run for `ms` with nothing delivered. */
  idle(ms: number): void {
    this.clock.advance(ms);
    this.audit_();
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
      if (this.expected_ && this.expected_(e)) return;
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
        if (process.env.FUZZ_DEBUG) console.log("stray", op, "running", this.running_);
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
