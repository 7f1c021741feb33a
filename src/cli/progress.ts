/** Where progress goes: process.stdout, or a test's recorder. */
export interface Out {
  isTTY?: boolean;
  write(s: string): unknown;
}

/**
 * A byte counter. On a terminal it redraws one line in place and log lines
 * land above it (the bar is cleared, the line printed, the bar drawn again);
 * elsewhere (a pipe, a CI log) it prints one line per 10 %. It never goes
 * backwards: a count lower than the last one shown is ignored.
 */
export class Progress {
  private shown_ = -1;
  private drawn_ = false;
  private step_ = -1;
  private line_ = "";
  private t0_: number | undefined;

  /** `now` is read at the first update (the rate counts from there), so a caller may swap its clock until then. */
  constructor(private out: Out, private total: number, private now: () => number = Date.now) {}

  update(n: number): void {
    if (this.t0_ === undefined) this.t0_ = this.now();
    if (n <= this.shown_ || this.total <= 0) return;
    this.shown_ = n = Math.min(n, this.total);
    const pct = Math.floor((n / this.total) * 100);
    const secs = Math.max(0.001, (this.now() - this.t0_) / 1000);
    const bar = "#".repeat(Math.round((n / this.total) * 30)).padEnd(30, ".");
    this.line_ = `  [${bar}] ${String(pct).padStart(3)} %  ${n}/${this.total} B  ${Math.round(n / secs)} B/s`;
    if (this.out.isTTY) {
      this.out.write("\r\x1b[K" + this.line_);
      this.drawn_ = true;
      return;
    }
    const step = Math.floor(pct / 10);
    if (step > this.step_) {
      this.step_ = step;
      this.out.write(this.line_ + "\n");
    }
  }

  /** A log line above the bar. */
  log(s: string): void {
    if (this.out.isTTY && this.drawn_) this.out.write("\r\x1b[K" + s + "\n" + this.line_);
    else this.out.write(s + "\n");
  }

  /** Leaves the bar as it is and moves below it. */
  end(): void {
    if (this.out.isTTY && this.drawn_) this.out.write("\n");
    this.drawn_ = false;
  }
}
