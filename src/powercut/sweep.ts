import type { Cut } from "../platform/host/norflash.js";
import { rng } from "../testbench/rng.js";
import { Device, type Hooks, type RunResult } from "./device.js";
import { type Prepared, SCENARIOS, type Target, prepare, target } from "./scenarios.js";

/**
 * Power-cut sweep, after MCUboot's simulator but with torn operations and a
 * second cut during recovery: run a scenario once to count its flash
 * operations T, then again from the same flash with the power cut at every
 * operation 1..T, cleanly and torn, and after each of those again at every
 * operation k of the recovery, cleanly and torn. Device (device.ts) checks
 * every power-up.
 */

export interface SweepOptions {
  /** Board keys, or variants such as "puckjs:00" (scenarios.ts). */
  boards: string[];
  /** Scenario names (scenarios.ts); all when absent. */
  scenarios?: string[];
  /** CI: this many first cuts per scenario, spread over 1..T, and one second cut each (clean or torn). Absent: every N and every k, both ways. */
  quick?: number;
  seed?: number;
  /** Deliberate faults (tests prove the checks catch them). */
  hooks?: Hooks;
  onTarget?: (t: TargetTally) => void;
}

export interface Failure {
  target: string;
  scenario: string;
  /** "cut at op 17 (chunk 5, torn), then at op 20 (boot, clean)" */
  cuts: string;
  kind: "bricked" | "lost";
  /** The first broken check of this kind; `all` has every one. */
  what: string;
  all: string[];
}

export interface TargetTally {
  name: string;
  /** Flash operations of each scenario without a cut (its T). */
  ops: Record<string, number>;
  cuts: number;
  bricked: number;
  lost: number;
  /** Runs Espruino ended by erasing Storage after a cut in the application's own Storage write (device.ts). */
  wiped: number;
  ms: number;
}

export interface SweepResult {
  cuts: number;
  bricked: number;
  lost: number;
  wiped: number;
  targets: TargetTally[];
  /** The first few, for the report. */
  failures: Failure[];
}

const MAX_FAILURES = 20;
/** Share of double cuts that get a third one. */
const TRIPLE_SHARE = 1 / 16;

export function sweep(o: SweepOptions): SweepResult {
  const res: SweepResult = { cuts: 0, bricked: 0, lost: 0, wiped: 0, targets: [], failures: [] };
  const wanted = o.scenarios ? SCENARIOS.filter((s) => o.scenarios!.includes(s.name)) : SCENARIOS;
  if (o.scenarios && wanted.length !== o.scenarios.length) throw new Error("unknown scenario in " + o.scenarios.join(","));
  for (const spec of o.boards) {
    const t0 = Date.now();
    const tg = target(spec);
    const tally: TargetTally = { name: tg.name, ops: {}, cuts: 0, bricked: 0, lost: 0, wiped: 0, ms: 0 };
    for (const s of wanted) {
      const p = prepare(tg, s);
      const r = rng((o.seed || 0) ^ hash(tg.name + "/" + s.name));
      const note = (run: RunResult, planned: number) => {
        if (run.cuts.length !== planned) throw new Error(tg.name + " " + s.name + ": a planned cut did not fire");
        if (planned) tally.cuts++;
        if (run.bricked.length) tally.bricked++;
        if (run.wiped.length) tally.wiped++;
        if (run.lost.length) tally.lost++;
        for (const [kind, list] of [["bricked", run.bricked], ["lost", run.lost]] as const) {
          if (list.length && res.failures.length < MAX_FAILURES) {
            res.failures.push({ target: tg.name, scenario: s.name, cuts: describe(run), kind: kind, what: list[0], all: list.slice() });
          }
        }
      };
      // The uncut run must pass the same checks; it also gives T.
      const base = runOnce(tg, p, o.hooks);
      note(base, 0);
      const T = base.ops;
      tally.ops[s.name] = T;
      for (const n of pick(T, o.quick, r)) {
        for (const tear of [false, true]) {
          const cut: Cut = { at: n, tear: tear, seed: seedOf(r) };
          const first = runOnce(tg, p, o.hooks, cut);
          note(first, 1);
          // The recovery after this cut took R operations: cut again inside it.
          const R = first.ops - first.cuts[0].at;
          for (const k of pick(R, o.quick ? 1 : undefined, r)) {
            for (const tear2 of o.quick ? [r() < 0.5] : [false, true]) {
              const second: Cut = { at: k, tear: tear2, seed: seedOf(r) };
              const run2 = runOnce(tg, p, o.hooks, cut, second);
              note(run2, 2);
              // A sample of triple cuts: a third at a random operation of the second recovery.
              const R2 = run2.ops - run2.cuts[1].at;
              if (R2 > 0 && r() < TRIPLE_SHARE) {
                note(runOnce(tg, p, o.hooks, cut, second, { at: 1 + Math.floor(r() * R2), tear: r() < 0.5, seed: seedOf(r) }), 3);
              }
            }
          }
        }
      }
    }
    tally.ms = Date.now() - t0;
    res.cuts += tally.cuts;
    res.bricked += tally.bricked;
    res.lost += tally.lost;
    res.wiped += tally.wiped;
    res.targets.push(tally);
    if (o.onTarget) o.onTarget(tally);
  }
  return res;
}

function runOnce(t: Target, p: Prepared, hooks?: Hooks, ...plan: Cut[]): RunResult {
  return new Device(t.board, p.campaign, p.start, hooks, t.model, p.device).run(plan);
}

/** 1..T, or `n` of them spread evenly from a seeded offset. */
function pick(T: number, n: number | undefined, r: () => number): number[] {
  const all: number[] = [];
  if (n === undefined || n >= T) {
    for (let i = 1; i <= T; i++) all.push(i);
    return all;
  }
  const step = T / n;
  const off = r();
  for (let i = 0; i < n; i++) all.push(1 + Math.min(T - 1, Math.floor((i + off) * step)));
  return all;
}

function describe(run: RunResult): string {
  if (!run.cuts.length) return "no cut";
  return run.cuts.map((c) => "op " + c.at + " (" + c.phase + ", " + (c.torn ? "torn" : "clean") + ")").join(", then ");
}

const seedOf = (r: () => number) => (r() * 4294967296) >>> 0;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Plain NOR on two boards, STM32F4 sectors (synthetic: no stock firmware
 * leaves them free) and a 0x00-erasing part; then the harsher models: ECC
 * locks under three sets of tear seeds, random-bit tears with 16-byte writes,
 * erase with a pre-programming phase, 8- and 32-byte write alignment.
 */
export const DEFAULT_BOARDS = [
  "puckjs", "stm32-test", "linux", "puckjs:00",
  "puckjs:ecc", "puckjs:ecc:s2", "linux:ecc:s3", "linux:bits:a16", "stm32-test:pre", "puckjs:a8:pre:ecc", "linux:a32:00",
];
