import { parseArgs } from "node:util";
import { describeImage, mkimage } from "./mkimage.js";

const USAGE = `espruino-ota <command> [options]
  demo                          whole update on emulated flash: v1 -> v2 (trial, confirm) -> bad v3 (rollback)
  mkimage --app F --out F --board B --type T --version V [--build S] [--with-client]
  info FILE                     print an image's header
  install-script --board B --image F [--quit]   Espruino script: boot stub as .boot0, F in slot 0, a boot record
  ncp-sim --image F (--port P | --in-process)   play the Blynk NCP and push F (see ncp-sim --help)
`;

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  const rest = argv.slice(1);
  if (cmd === "mkimage") {
    const { values } = parseArgs({
      args: rest,
      options: {
        app: { type: "string" }, out: { type: "string" }, board: { type: "string", default: "linux" },
        type: { type: "string" }, version: { type: "string" }, build: { type: "string" }, "with-client": { type: "boolean" },
      },
    });
    if (!values.app || !values.out || !values.type || !values.version) throw new Error("mkimage needs --app, --out, --type and --version");
    mkimage({ app: values.app, out: values.out, board: values.board as string, type: values.type, version: values.version, build: values.build, withClient: values["with-client"] });
    console.log(describeImage(values.out));
    return 0;
  }
  if (cmd === "info") {
    for (const f of rest) console.log(describeImage(f));
    return 0;
  }
  if (cmd === "ncp-sim") {
    const { runNcpSim } = await import("./ncpsim.js");
    return runNcpSim(rest);
  }
  if (cmd === "install-script") {
    const { runInstallScript } = await import("./install-script.js");
    return runInstallScript(rest);
  }
  if (cmd === "demo") {
    const { runDemo } = await import("./demo.js");
    return runDemo();
  }
  if (cmd === "sweep") {
    const { runSweep } = await import("./sweep.js");
    return runSweep(rest);
  }
  if (cmd === "fuzz") return (await import("./fuzz.js")).runFuzzCli(rest);
  if (cmd === "tb-sim") return (await import("./tbsim.js")).runTbSim(rest);
  process.stdout.write(USAGE);
  return cmd ? 2 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.error("espruino-ota: " + (e instanceof Error ? e.message : e));
  process.exit(1);
});
