import { loadBoard } from "../board/files.js";
import { CliError, UsageError, parseCommand, type Parsed } from "./args.js";
import { BLE_SIM } from "./commands.js";
import { checkImage, readInput } from "./image-check.js";
import { boardOfImage } from "./ncpsim.js";
import { Progress } from "./progress.js";
import { type BleFaults, formatBleFaults, parseBleFaults } from "../peers/ble/faults.js";
import { bleRig, runBleUpdate } from "../peers/ble/run.js";

const FAULTS_HELP = "lost=P,doubled=P,corrupt=P,wrong=P with P from 0 to 1, disconnect=N, reset=N, seed=N";

/** Plays the ESP BLE OTA client against the built ble.js on an emulated board. Exit 0 when the new version runs confirmed. */
export async function runBleSim(args: string[] | Parsed): Promise<number> {
  let p: Parsed | "help";
  if (Array.isArray(args)) {
    p = parseCommand(BLE_SIM, args);
    if (p === "help") {
      process.stdout.write(BLE_SIM.usage + "\n");
      return 0;
    }
  } else p = args;
  const v = p.values as { image?: string; "in-process"?: boolean; board?: string; mtu: number; faults?: string[]; seeds?: number };
  if (!v.image || !v["in-process"]) {
    process.stdout.write(BLE_SIM.usage + "\n");
    return 2;
  }
  let settings: (BleFaults | undefined)[];
  try {
    settings = v.faults && v.faults.length ? v.faults.map(parseBleFaults) : [undefined];
  } catch (e) {
    throw new UsageError("ble-sim: --faults: " + (e as Error).message + " (" + FAULTS_HELP + ")");
  }
  const img = readInput(v.image, "image");
  const check = checkImage(img);
  const h = check.info;
  if (!h) throw new CliError(v.image + ": " + check.problem + " (mkimage makes one)");
  const key = v.board || boardOfImage(h.board) || "puckjs";
  const board = loadBoard(key);
  if (check.problem) console.log("ble: warning: " + v.image + ": " + check.problem + "; sending it anyway (the board must refuse it)");
  if (h.board !== board.id) console.log("ble: warning: " + v.image + " is built for " + h.board + ", the board is " + board.id + " (" + key + "); sending it anyway (the board must refuse it)");
  if (v.seeds) return seedTable(img, key, v.mtu, settings, v.seeds);
  const clockBox: { now: () => number } = { now: () => 0 };
  const bar = new Progress(process.stdout, img.length, () => clockBox.now());
  const x = bleRig({
    image: img, board: key, mtu: v.mtu, faults: settings[0],
    log: (s) => bar.log("ble: " + s), onProgress: (n) => bar.update(n),
    onBoot: (b) => bar.log(`board: power on -> slot ${b.slot} v${b.version} (reason ${b.reason})`),
  });
  clockBox.now = () => x.clock.now();
  const r = runBleUpdate(x);
  bar.end();
  console.log(`ble-sim: ${r.outcome}; ${r.resends} resends; ${x.client.packets} packets at MTU ${v.mtu}; ${(r.ms / 1000).toFixed(1)} s simulated` +
    (x.client.resumes.length ? "; resumed at sector " + x.client.resumes.join(", ") : ""));
  return r.confirmed ? 0 : 1;
}

function seedTable(img: Uint8Array, key: string, mtu: number, settings: (BleFaults | undefined)[], n: number): number {
  console.log(["faults".padEnd(44), "seed ", "confirmed", "resends", "outcome"].join(" "));
  let ok = 0;
  let runs = 0;
  for (const f of settings) {
    for (let i = 0; i < n; i++) {
      const seed = (f ? f.seed : 1) + i;
      const r = runBleUpdate(bleRig({ image: img, board: key, mtu: mtu, faults: f ? { ...f, seed: seed } : undefined }));
      runs++;
      if (r.confirmed) ok++;
      console.log([(f ? formatBleFaults(f) : "none").padEnd(44), String(seed).padEnd(5), (r.confirmed ? "yes" : "no").padEnd(9), String(r.resends).padEnd(7), r.outcome].join(" "));
    }
  }
  console.log(`ble-sim: ${ok}/${runs} seeds confirmed`);
  return ok === runs ? 0 : 1;
}
