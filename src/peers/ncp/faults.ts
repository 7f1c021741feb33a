import type { Clock } from "../../hal/clock.js";
import type { Link } from "../../hal/link.js";
import { fromLatin1 } from "../../platform/host/latin1.js";
import { rng } from "../../testbench/rng.js";

/** Which way the faults apply, seen from the NCP: what it sends to the board, what it gets from it, or both. */
export type FaultDir = "both" | "to-board" | "from-board";

/** Probabilities per write (0..1) and a delay, for a link to misbehave as a bad UART would. */
export interface Faults {
  corrupt?: number;
  drop?: number;
  duplicate?: number;
  /** Extra latency in ms for every piece. */
  delay?: number;
  /** Up to this many ms more, at random per piece; the order of the bytes is kept, as on a wire. */
  jitter?: number;
  /** Default "both". */
  dir?: FaultDir;
  seed?: number;
}

const DIRS = ["both", "to-board", "from-board"];

/** Parses "corrupt=0.05,drop=0.01,dup=0.01,delay=20,jitter=50,dir=both,seed=3". */
export function parseFaults(s: string | undefined): Faults {
  const f: Faults = {};
  for (const kv of (s || "").split(",").filter(Boolean)) {
    const [k, v] = kv.split("=");
    if (k === "dir") {
      if (DIRS.indexOf(v) < 0) throw new Error("bad fault direction: " + kv + " (both, to-board or from-board)");
      f.dir = v as FaultDir;
      continue;
    }
    const n = Number(v);
    if (!(n >= 0)) throw new Error("bad fault value: " + kv);
    if ((k === "corrupt" || k === "drop" || k === "dup") && n > 1) throw new Error("a probability is at most 1: " + kv);
    if (k === "corrupt") f.corrupt = n;
    else if (k === "drop") f.drop = n;
    else if (k === "dup") f.duplicate = n;
    else if (k === "delay") f.delay = n;
    else if (k === "jitter") f.jitter = n;
    else if (k === "seed") f.seed = n;
    else throw new Error("unknown fault: " + k);
  }
  return f;
}

/** The faults as parseFaults reads them back (for tables and logs). */
export function formatFaults(f: Faults): string {
  const p: string[] = [];
  if (f.corrupt) p.push("corrupt=" + f.corrupt);
  if (f.drop) p.push("drop=" + f.drop);
  if (f.duplicate) p.push("dup=" + f.duplicate);
  if (f.delay) p.push("delay=" + f.delay);
  if (f.jitter) p.push("jitter=" + f.jitter);
  if (p.length && f.dir && f.dir !== "both") p.push("dir=" + f.dir);
  return p.join(",") || "none";
}

/** What a faulty wire makes of one write: dropped, altered, duplicated, or as is. */
export function faultyPieces(b: Uint8Array, f: Faults, rand: () => number): Uint8Array[] {
  if (f.drop && rand() < f.drop) return [];
  let p = b;
  if (f.corrupt && rand() < f.corrupt) {
    p = b.slice();
    p[Math.floor(rand() * p.length)] ^= 1 << Math.floor(rand() * 8);
  }
  return f.duplicate && rand() < f.duplicate ? [p, p] : [p];
}

/**
 * Wraps the NCP's end of a link so one or both directions pass through the
 * faults. A delayed piece is copied when written: writers reuse their buffer
 * once write() returns (the RPC layer encodes every frame into one), and a
 * serial port copies too. Delayed pieces keep their order.
 */
export function faultyLink(link: Link, f: Faults, clock: Clock): Link {
  const rand = rng(f.seed || 1);
  const dir = f.dir || "both";
  const due = [0, 0];
  const pass = (b: Uint8Array, to: (b: Uint8Array) => void, way: number, on: boolean) => {
    for (const p of on ? faultyPieces(b, f, rand) : [b]) {
      const wait = on ? (f.delay || 0) + (f.jitter ? rand() * f.jitter : 0) : 0;
      const now = clock.now();
      if (!wait && due[way] <= now) {
        to(p);
        continue;
      }
      const copy = p.slice();
      const at = Math.max(now + wait, due[way]);
      due[way] = at;
      clock.setTimeout(() => to(copy), at - now);
    }
  };
  return {
    write: (b) => pass(b, (p) => link.write(p), 0, dir !== "from-board"),
    onData: (h) => link.onData((b) => pass(typeof b === "string" ? fromLatin1(b) : b, h, 1, dir !== "to-board")),
    setBaud: (b) => link.setBaud(b),
  };
}
