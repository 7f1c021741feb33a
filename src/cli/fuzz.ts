import { parseArgs } from "node:util";
import { runFuzz } from "../fuzz/run.js";

/** `espruino-ota fuzz [--inputs N] [--seed S] [--board B]`: last line `fuzz: N inputs, C crashes, W stray writes`. */
export async function runFuzzCli(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: { inputs: { type: "string", default: "100000" }, seed: { type: "string", default: "1" }, board: { type: "string", default: "linux" } },
  });
  const t0 = Date.now();
  const r = runFuzz({ seed: Number(v.seed), inputs: Number(v.inputs), board: v.board });
  const states = Object.entries(r.events).sort((a, b) => b[1] - a[1]).map(([k, n]) => k + "=" + n).join(" ");
  console.log(`inputs by kind: ${Object.entries(r.kinds).map(([k, n]) => k + " " + n).join(", ")}`);
  console.log(`client events reached (name:code=count): ${states}`);
  console.log(`running image lost: ${r.lost}; hangs: ${r.hangs}; ${((Date.now() - t0) / 1000).toFixed(1)} s, seed ${v.seed}, board ${v.board}`);
  if (r.firstCrash) console.log("first crash:\n" + r.firstCrash);
  console.log(`fuzz: ${r.inputs} inputs, ${r.crashes + r.hangs} crashes, ${r.strayWrites} stray writes`);
  return r.crashes + r.hangs + r.strayWrites + r.lost === 0 ? 0 : 1;
}
