import type { Flash, FlashBlock, FlashStatus } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";
import { FlashFault } from "../platform/host/power.js";
import { type Area, allowedAreas, inside, overlaps } from "./oracle.js";

/** What the device is doing, so every flash operation can be judged where it happens. */
export interface Phase {
  /** "boot", "confirm", "offer", "chunk 3", "finish"... */
  name: string;
  /** Slot of the image that is running (-1 while the boot stub decides). */
  running: number;
  /** Only an update session may write an image slot (never the running one). */
  session: boolean;
}

/**
 * Sits between the code under test and the emulator and judges each write
 * and erase before it reaches the chip: the emulator's own log only lists
 * operations that completed, and a torn one is exactly the one to watch.
 */
export class Probe implements Flash {
  phase: Phase = { name: "setup", running: -1, session: false };
  /** Broken rules, in order: "chunk 3: erase 0x66000..0x67000 in the running slot". */
  readonly stray: string[] = [];
  private inner_: Flash;
  private slots_: Area[];
  private banks_: Area[];

  constructor(inner: Flash, layout: Layout) {
    this.inner_ = inner;
    const a = allowedAreas(inner, layout);
    this.slots_ = a.slots;
    this.banks_ = a.banks;
  }

  /** Slots and record banks: everything else must stay byte-identical. */
  areas(): Area[] {
    return this.slots_.concat(this.banks_);
  }

  status(): FlashStatus {
    return this.inner_.status();
  }

  block(address: number): FlashBlock {
    return this.inner_.block(address);
  }

  read(length: number, address: number): Uint8Array {
    return this.inner_.read(length, address);
  }

  write(bytes: Uint8Array, address: number): void {
    this.judge_("write", address, address + bytes.length);
    this.guard_(() => this.inner_.write(bytes, address));
  }

  eraseBlock(start: number, end: number): void {
    this.judge_("erase", start, end);
    this.guard_(() => this.inner_.eraseBlock(start, end));
  }

  private judge_(kind: string, s: number, e: number): void {
    const p = this.phase;
    const what = p.name + ": " + kind + " 0x" + s.toString(16) + "..0x" + e.toString(16);
    if (this.banks_.some((b) => inside(b, s, e))) return;
    const slot = this.slots_.findIndex((a) => inside(a, s, e));
    if (slot < 0) this.stray.push(what + " outside the slots and record banks");
    else if (!p.session) this.stray.push(what + " in slot " + slot + " outside an update session");
    else if (p.running >= 0 && overlaps(this.slots_[p.running], s, e)) this.stray.push(what + " in the running slot");
  }

  /** Real flash refusing an operation (strict overwrite, alignment) is a bug in the caller. */
  private guard_(op: () => void): void {
    try {
      op();
    } catch (e) {
      if (e instanceof FlashFault) this.stray.push(this.phase.name + ": flash refused: " + e.message);
      throw e;
    }
  }
}
