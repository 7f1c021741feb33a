import { UsageError, type Parsed } from "./args.js";
import { SCENARIOS, target } from "../powercut/scenarios.js";
import { DEFAULT_BOARDS, sweep } from "../powercut/sweep.js";
import { sweepTransports } from "../powercut/transports.js";

const QUICK = 16;

/**
 * `espruino-ota sweep [--board B[,B]]... [--quick | --sample N] [--seed S] [--scenario NAME]...`
 * Last line: `power-cut sweep: <N> cuts, <B> bricked, <L> lost`; exit 1 if anything was bricked or lost.
 */
export function runSweep(p: Parsed): number {
  const values = p.values as { board?: string[]; scenario?: string[]; quick?: boolean; sample?: number; seed?: number };
  const boards = values.board ? values.board.flatMap((b) => b.split(",")).map((b) => b.trim()) : DEFAULT_BOARDS;
  if (!boards.length || boards.some((b) => !b)) throw new UsageError("sweep: --board " + JSON.stringify((values.board || []).join(",")) + " names no board (e.g. --board puckjs,linux:ecc); see espruino-ota sweep --help");
  const quick = values.sample !== undefined ? values.sample : values.quick ? QUICK : undefined;
  const seed = values.seed !== undefined ? values.seed >>> 0 : 1;
  for (const b of boards) {
    try {
      target(b); // refuse a misspelt board before the header
    } catch (e) {
      throw new UsageError("sweep: --board " + b + ": " + (e as Error).message);
    }
  }
  const names = SCENARIOS.map((s) => s.name);
  const unknown = (values.scenario || []).filter((s) => !names.includes(s));
  if (unknown.length) throw new UsageError("sweep: unknown --scenario " + unknown.join(", ") + " (scenarios: " + names.join(", ") + ")");
  const say = (s: string) => process.stdout.write(s + "\n");
  say("power-cut sweep over " + boards.join(", ") + (quick ? ": " + quick + " cut points per scenario, one second cut each" :
    ": a cut at every flash operation, clean and torn, then a second cut at every operation of the recovery, clean and torn") + "; seed " + seed);
  for (const s of SCENARIOS) if (!values.scenario || values.scenario.includes(s.name)) say("  " + s.name + ": " + s.what);
  const r = sweep({
    boards: boards, scenarios: values.scenario, quick: quick, seed: seed,
    onTarget: (t) => {
      const ops = Object.keys(t.ops).map((k) => k + " " + t.ops[k]).join(", ");
      say(`${t.name}: ops without a cut: ${ops}; ${t.cuts} cuts, ${t.bricked} bricked, ${t.lost} lost, ${t.wiped} wiped by Espruino (${(t.ms / 1000).toFixed(1)} s)`);
    },
  });
  for (const f of r.failures) say(`  ${f.kind.toUpperCase()} ${f.target} ${f.scenario}, cut at ${f.cuts}: ${f.all.join("; ")}`);
  say(`wiped by Espruino: ${r.wiped} runs in which a cut inside the application's own Storage write or compaction made the firmware erase all of Storage at the next power-on ("Storage is corrupt."); no client survives that. OTA operations write nothing outside the slots and banks (a stray write is bricked), so they cannot cause it`);
  // Through each transport's client: a recorded update replayed, cut at every flash operation (powercut/transports.ts).
  let tb = 0;
  let tc = 0;
  if (!values.scenario) {
    for (const t of sweepTransports(quick ? 8 : 1)) {
      for (const f of t.failures) say("  BRICKED " + f);
      say(`power-cut sweep through ${t.transport}: ops without a cut ${t.ops}; ${t.cuts} cuts, ${t.bricked} bricked`);
      tb += t.bricked;
      tc += t.cuts;
    }
  }
  say(`power-cut sweep: ${r.cuts} cuts, ${r.bricked} bricked, ${r.lost} lost`);
  // A sweep that cut nothing tested nothing.
  if (r.cuts === 0 || (!values.scenario && tc === 0)) {
    process.stderr.write("espruino-ota: sweep: 0 cuts: nothing was tested\n");
    return 1;
  }
  return r.bricked || r.lost || tb ? 1 : 0;
}
