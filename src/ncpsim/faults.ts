import type { Clock } from "../hal/clock.js";
import type { Link } from "../hal/link.js";
import { fromLatin1 } from "../platform/host/latin1.js";
import { rng } from "../platform/host/power.js";

/** Probabilities per write (0..1) and a delay, for a link to misbehave as a bad UART would. */
export interface Faults {
  corrupt?: number;
  drop?: number;
  duplicate?: number;
  /** Extra latency in ms for every piece. */
  delay?: number;
  seed?: number;
}

/** Parses "corrupt=0.05,drop=0.01,dup=0.01,delay=20,seed=3". */
export function parseFaults(s: string | undefined): Faults {
  const f: Faults = {};
  for (const kv of (s || "").split(",").filter(Boolean)) {
    const [k, v] = kv.split("=");
    const n = Number(v);
    if (!(n >= 0)) throw new Error("bad fault value: " + kv);
    if (k === "corrupt") f.corrupt = n;
    else if (k === "drop") f.drop = n;
    else if (k === "dup") f.duplicate = n;
    else if (k === "delay") f.delay = n;
    else if (k === "seed") f.seed = n;
    else throw new Error("unknown fault: " + k);
  }
  return f;
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

/** Wraps a link so both directions pass through the faults. */
export function faultyLink(link: Link, f: Faults, clock: Clock): Link {
  const rand = rng(f.seed || 1);
  const pass = (b: Uint8Array, to: (b: Uint8Array) => void) => {
    for (const p of faultyPieces(b, f, rand)) {
      if (f.delay) clock.setTimeout(() => to(p), f.delay);
      else to(p);
    }
  };
  return {
    write: (b) => pass(b, (p) => link.write(p)),
    onData: (h) => link.onData((b) => pass(typeof b === "string" ? fromLatin1(b) : b, h)),
    setBaud: (b) => link.setBaud(b),
  };
}
