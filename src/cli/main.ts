import { parseArgs } from "node:util";
import { describeImage, mkimage } from "./mkimage.js";

const USAGE = `espruino-ota <command> [options]
  demo                          a whole Blynk.Air update on emulated flash: v1 -> v2 (trial, confirm) -> bad v3 (rollback)
  mkimage --app F --out F --board B --type T --version V [--build S] [--with-client]
  info FILE                     print an image's header
  install-script --board B --image F [--quit] [--erase-storage]   Espruino script: the OTA files into an empty Storage (.bootPowerOn, stub, .eota), F in slot 0
  ncp-sim --image F (--port P | --in-process)   play the Blynk NCP and push F (ncp-sim alone lists its options)
  tb-sim --image F ...          a ThingsBoard device-API stand-in, MQTT + HTTP (tb-sim alone lists its options)
  sweep [--board B] [--quick]   power cut at every flash operation; last line: power-cut sweep: N cuts, B bricked, L lost
  fuzz [--inputs N] [--seed S]  hostile inputs to the client; last line: fuzz: N inputs, C crashes, W stray writes
`;

async function mkimageCmd(rest: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: rest,
    options: {
      app: { type: "string" }, out: { type: "string" }, board: { type: "string", default: "linux" },
      type: { type: "string" }, version: { type: "string" }, build: { type: "string" }, "with-client": { type: "boolean" },
    },
  });
  if (!v.app || !v.out || !v.type || !v.version) throw new Error("mkimage needs --app, --out, --type and --version");
  mkimage({ app: v.app, out: v.out, board: v.board as string, type: v.type, version: v.version, build: v.build, withClient: v["with-client"] });
  console.log(describeImage(v.out));
  return 0;
}

/** Each command loads only what it needs. */
const COMMANDS: Record<string, (rest: string[]) => Promise<number>> = {
  demo: async () => (await import("./demo.js")).runDemo(),
  mkimage: mkimageCmd,
  info: async (rest) => {
    for (const f of rest) console.log(describeImage(f));
    return 0;
  },
  "install-script": async (rest) => (await import("./install-script.js")).runInstallScript(rest),
  "ncp-sim": async (rest) => (await import("./ncpsim.js")).runNcpSim(rest),
  "tb-sim": async (rest) => (await import("./tbsim.js")).runTbSim(rest),
  sweep: async (rest) => (await import("./sweep.js")).runSweep(rest),
  fuzz: async (rest) => (await import("./fuzz.js")).runFuzzCli(rest),
};

async function main(argv: string[]): Promise<number> {
  const run = COMMANDS[argv[0]];
  if (run) return run(argv.slice(1));
  process.stdout.write(USAGE);
  return argv[0] ? 2 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.error("espruino-ota: " + (e instanceof Error ? e.message : e));
  process.exit(1);
});
