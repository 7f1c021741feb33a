import type { Parsed } from "./args.js";
import { bootFuzz } from "../fuzz/boot.js";
import { runFuzz } from "../fuzz/run.js";

/**
 * `espruino-ota fuzz [--inputs N] [--states N] [--seed S] [--board B]`: the client's inputs, then the boot
 * decision over random record states. Last lines: `fuzz: N inputs, C crashes, W stray writes` and
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
  const t1 = Date.now();
  const b = bootFuzz({ states: v.states, seed: v.seed });
  for (const f of b.first) console.log("  " + f);
  console.log(`boot fuzz: ${((Date.now() - t1) / 1000).toFixed(1)} s, seed ${v.seed}; erase 0xFF/0x00, alignment 4/16, strict/lenient, ECC locks`);
  console.log(`boot fuzz: ${b.states} states, ${b.throws} throws, ${b.unsafe} unsafe, ${b.stuck} stuck`);
  // A run that tested nothing is no pass.
  if (r.inputs === 0 || b.states === 0) return 1;
  return r.crashes + r.hangs + r.strayWrites + r.lost + b.throws + b.unsafe + b.stuck === 0 ? 0 : 1;
}
