import type { Link } from "../../hal/link.js";
import type { FakeClock } from "./clock.js";

/** Decides what of a write reaches the other end: the bytes, altered bytes, several pieces, or nothing. */
export type Wire = (bytes: Uint8Array, from: "a" | "b") => Uint8Array[];

export interface PairOptions {
  clock: FakeClock;
  /** Line rate both ends start at; 0 = instantaneous. 10 bits a byte (8N1). */
  baud?: number;
  /** Fault injection between the ends. */
  wire?: Wire;
}

class End implements Link {
  baud: number;
  handler: ((b: Uint8Array) => void) | undefined;
  busyUntil = 0;
  peer!: End;
  constructor(readonly name: "a" | "b", private pair: LinkPair, baud: number) {
    this.baud = baud;
  }
  write(bytes: Uint8Array): void {
    this.pair.send(this, new Uint8Array(bytes));
  }
  onData(h: (b: Uint8Array) => void): void {
    this.handler = h;
  }
  setBaud(b: number): void {
    this.baud = b;
  }
}

/**
 * Two ends of a UART in one process, timed by a fake clock: each byte takes
 * 10/baud seconds on the wire, so bytes/s figures mean something. When the
 * ends' rates differ, the receiver gets garbage, as a real UART would.
 */
export class LinkPair {
  readonly a: End;
  readonly b: End;
  bytes = 0;
  private clock_: FakeClock;
  private wire_: Wire | undefined;

  constructor(o: PairOptions) {
    this.clock_ = o.clock;
    this.wire_ = o.wire;
    this.a = new End("a", this, o.baud || 0);
    this.b = new End("b", this, o.baud || 0);
    this.a.peer = this.b;
    this.b.peer = this.a;
  }

  setWire(w: Wire | undefined): void {
    this.wire_ = w;
  }

  send(from: End, bytes: Uint8Array): void {
    const pieces = this.wire_ ? this.wire_(bytes, from.name) : [bytes];
    for (const p of pieces) {
      const now = this.clock_.now();
      const ms = from.baud ? (p.length * 10 * 1000) / from.baud : 0;
      const start = Math.max(now, from.busyUntil);
      from.busyUntil = start + ms;
      const to = from.peer;
      const rate = from.baud;
      this.bytes += p.length;
      this.clock_.setTimeout(() => {
        if (!to.handler) return;
        to.handler(rate === to.baud ? p : garble(p));
      }, from.busyUntil - now);
    }
  }
}

function garble(p: Uint8Array): Uint8Array {
  const g = new Uint8Array(Math.max(1, p.length >> 1));
  for (let i = 0; i < g.length; i++) g[i] = (p[i * 2] * 7 + 0x55) & 0xff;
  return g;
}
