import type { Parsed } from "./args.js";
import { bootFuzz } from "../fuzz/boot.js";
import { runFuzz } from "../fuzz/run.js";
import { REPLAYABLE, runReplayFuzz } from "../fuzz/replay.js";

/**
 * `espruino-ota fuzz [--inputs N] [--states N] [--seed S] [--board B]`: the Blynk client's inputs, the
 * other transports' (a recorded update replayed with edits), then the boot decision over random record states. Lines: `fuzz: N inputs, C crashes, W stray writes` and
 * `boot fuzz: N states, T throws, U unsafe, S stuck`.
 */
export async function runFuzzCli(p: Parsed): Promise<number> {
  // Validated by commands.ts (FUZZ): whole numbers, at least one input and one state, a supported board.
  const v = p.values as { inputs: number; states: number; seed: number; board: string };
  const t0 = Date.now();
  const r = runFuzz({ seed: v.seed, inputs: v.inputs, board: v.board });
  const states = Object.entries(r.events).sort((a, b) => b[1] - a[1]).map(([k, n]) => k + "=" + n).join(" ");
  console.log(`inputs by kind: ${Object.entries(r.kinds).map(([k, n]) => k + " " + n).join(", ")}`);
  console.log(`client events reached (name:code=count): ${states}`);
  console.log(`running image lost: ${r.lost}; hangs: ${r.hangs}; ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${v.seed}, board ${v.board}`);
  if (r.firstCrash) console.log("first crash:\n" + r.firstCrash);
  console.log(`fuzz: ${r.inputs} inputs, ${r.crashes + r.hangs} crashes, ${r.strayWrites} stray writes`);
  // The other transports: a recorded whole update with its real peer, replayed with edits (fuzz/replay.ts).
  let bad = 0;
  for (const x of REPLAYABLE) {
    const t2 = Date.now();
    const q = runReplayFuzz({ seed: v.seed, inputs: v.inputs, transport: x.name });
    if (q.firstCrash) console.log("first crash (" + x.name + "):\n" + q.firstCrash);
    const done = Object.entries(q.events).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => k + "=" + n).join(" ");
    console.log(`  ${x.name}: ${((Date.now() - t2) / 1000).toFixed(1)} s; events (most frequent): ${done}`);
    console.log(`fuzz ${x.name}: ${q.inputs} inputs, ${q.crashes + q.hangs} crashes, ${q.strayWrites} stray writes, ${q.lost} lost`);
    bad += q.crashes + q.hangs + q.strayWrites + q.lost + (q.inputs ? 0 : 1);
  }
  const t1 = Date.now();
  const b = bootFuzz({ states: v.states, seed: v.seed });
  for (const f of b.first) console.log("  " + f);
  console.log(`boot fuzz: ${((Date.now() - t1) / 1000).toFixed(1)} s, seed ${v.seed}; erase 0xFF/0x00, alignment 4/16, strict/lenient, ECC locks`);
  console.log(`boot fuzz: ${b.states} states, ${b.throws} throws, ${b.unsafe} unsafe, ${b.stuck} stuck`);
  // A run that tested nothing is no pass.
  if (r.inputs === 0 || b.states === 0) return 1;
  return r.crashes + r.hangs + r.strayWrites + r.lost + bad + b.throws + b.unsafe + b.stuck === 0 ? 0 : 1;
}
