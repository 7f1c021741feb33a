import { CliError, UsageError, helpText, parseCommand, type Command, type Parsed } from "./args.js";
import * as C from "./commands.js";

type Run = (p: Parsed) => Promise<number> | number;

/** Each command: its option table (commands.ts) and its runner, loaded only when it runs. */
const COMMANDS: Record<string, [Command, () => Promise<Run>]> = {
  demo: [C.DEMO, async () => async () => (await import("./demo.js")).runDemo()],
  mkimage: [C.MKIMAGE, async () => (await import("./mkimage.js")).runMkimage],
  info: [C.INFO, async () => (await import("./mkimage.js")).runInfo],
  install: [C.INSTALL, async () => async (p) => (await import("./install.js")).runInstall(p)],
  status: [C.STATUS, async () => async (p) => (await import("./install.js")).runStatus(p)],
  "install-script": [C.INSTALL_SCRIPT, async () => (await import("./install-script.js")).runInstallScript],
  "ncp-sim": [C.NCP_SIM, async () => (await import("./ncpsim.js")).runNcpSim],
  "ble-sim": [C.BLE_SIM, async () => (await import("./blesim.js")).runBleSim],
  "zigate-sim": [C.ZIGATE_SIM, async () => (await import("./zigatesim.js")).runZigateSim],
  "tb-sim": [C.TB_SIM, async () => (await import("./tbsim.js")).runTbSim],
  "drogue-sim": [C.DROGUE_SIM, async () => (await import("./droguesim.js")).runDrogueSim],
  sweep: [C.SWEEP, async () => (await import("./sweep.js")).runSweep],
  fuzz: [C.FUZZ, async () => (await import("./fuzz.js")).runFuzzCli],
};

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const c = first === "help" && argv[1] ? COMMANDS[argv[1]] : undefined;
    process.stdout.write(c ? helpText(c[0]) : C.USAGE);
    return 0;
  }
  const entry = COMMANDS[first];
  if (!entry) throw new UsageError((first.startsWith("-") ? "unknown option " : "unknown command ") + first + " (commands: " + Object.keys(COMMANDS).join(", ") + "); see espruino-ota --help");
  const [cmd, load] = entry;
  const p = parseCommand(cmd, argv.slice(1));
  if (p === "help") {
    process.stdout.write(helpText(cmd));
    return 0;
  }
  return (await load())(p);
}

/** Expected failures (bad input, a port in use, a missing file) end in one line on stderr; a stack only with ESPRUINO_OTA_DEBUG. */
export function failure(e: unknown): number {
  const exit = e instanceof UsageError || e instanceof CliError ? e.exit : 1;
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write("espruino-ota: " + msg.split("\n")[0] + "\n");
  if (process.env.ESPRUINO_OTA_DEBUG && e instanceof Error) process.stderr.write(String(e.stack) + "\n");
  return exit;
}

/** The whole CLI without process.exit: the exit code. */
export function runCli(argv: string[]): Promise<number> {
  return main(argv).catch(failure);
}
