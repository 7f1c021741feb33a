import type { Clock } from "../../hal/clock.js";

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

/** A clock that moves only when told: stalls of minutes take no time in tests. */
export class FakeClock implements Clock {
  private t_ = 0;
  private timers_: Timer[] = [];
  private next_ = 1;

  now(): number {
    return this.t_;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const t = { at: this.t_ + Math.max(0, ms), fn: fn, id: this.next_++ };
    this.timers_.push(t);
    return t.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers_ = this.timers_.filter((t) => t.id !== handle);
  }

  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t_ + ms;
    for (;;) {
      let due: Timer | undefined;
      for (const t of this.timers_) if (t.at <= end && (!due || t.at < due.at || (t.at === due.at && t.id < due.id))) due = t;
      if (!due) break;
      this.timers_ = this.timers_.filter((t) => t !== due);
      this.t_ = Math.max(this.t_, due.at);
      due.fn();
    }
    this.t_ = end;
  }

  /** Moves time in 10 ms steps until `done()` holds or `maxMs` have passed; says whether it holds. */
  runUntil(done: () => boolean, maxMs: number): boolean {
    for (let t = 0; t < maxMs && !done(); t += 10) this.advance(10);
    return done();
  }

  /**
   * A view of this clock for one power-on: timers set through it do nothing
   * once `alive()` turns false (the board was reset), and run through `wrap`.
   */
  scoped(alive: () => boolean, wrap: (f: () => void) => void = (f) => f()): Clock {
    return {
      now: () => this.now(),
      setTimeout: (f, ms) => this.setTimeout(() => alive() && wrap(f), ms),
      clearTimeout: (h) => this.clearTimeout(h),
    };
  }

  get pending(): number {
    return this.timers_.length;
  }

  /** When the earliest timer falls due (undefined when none is set). */
  get nextAt(): number | undefined {
    let at: number | undefined;
    for (const t of this.timers_) if (at === undefined || t.at < at) at = t.at;
    return at;
  }
}

/** The host's real clock. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
