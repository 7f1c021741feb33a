import { CliError, type Parsed } from "./args.js";
import { TB_SIM } from "./commands.js";
import { checkImage, readInput } from "./image-check.js";
import { boardOfImage } from "./ncpsim.js";
import { loadBoard } from "../board/files.js";
import { realClock } from "../platform/host/clock.js";
import { buildImage } from "../testbench/image.js";
import { installFactory } from "../testbench/install.js";
import { NorFlash } from "../platform/host/norflash.js";
import { type TbBoard, powerOnTbBoard } from "../testbench/tb-board.js";
import { ramStore } from "../testbench/espruino-net.js";
import { TbSim } from "../peers/thingsboard/server.js";

export const TBSIM_USAGE = TB_SIM.usage + "\n";

/**
 * `espruino-ota tb-sim`: serves one image the way ThingsBoard serves an
 * assigned firmware package (shared attributes, MQTT v2/fw chunks, HTTP
 * /api/v1/{token}/firmware, CoAP /fw/{token}) and prints the device's telemetry. Point a
 * board's `TB.start({server, port, token})` at it, or pass --emulate.
 */
export async function runTbSim(p: Parsed): Promise<number> {
  const values = p.values as {
    image?: string; token: string; "mqtt-port": number; "http-port": number; "coap-port": number; host: string; algorithm: string;
    emulate?: "mqtt" | "http" | "coap"; board?: string; wait?: number;
  };
  if (!values.image) {
    process.stdout.write(TBSIM_USAGE);
    return 2;
  }
  const data = readInput(values.image, "image");
  const check = checkImage(data);
  const h = check.info;
  if (!h) throw new CliError(values.image + ": " + check.problem + " (mkimage makes one)");
  const say = (s: string) => process.stdout.write(s + "\n");
  if (check.problem) say("tb-sim: warning: " + values.image + ": " + check.problem + "; serving it anyway (the client must refuse it)");
  const key = values.board || boardOfImage(h.board) || "linux";
  if (values.emulate && !values.board && !boardOfImage(h.board)) throw new CliError("tb-sim: " + values.image + " is built for " + h.board + ", no supported board has that id; pass --board");
  let sim: TbSim;
  try {
    sim = await TbSim.start({ token: values.token, host: values.host, mqttPort: values["mqtt-port"], httpPort: values["http-port"], coapPort: values["coap-port"] });
  } catch (e) {
    throw new CliError("tb-sim: " + (e as Error).message + "; choose another with --mqtt-port / --http-port / --coap-port (0 = any free port)");
  }
  say(`tb-sim: ${h.type} v${h.version} for ${h.board} (${data.length} B, ${values.algorithm}) for token ${values.token}`);
  const where = `mqtt://${values.host}:${sim.mqttPort}   http://${values.host}:${sim.httpPort}/api/v1/${values.token}/firmware   coap://${values.host}:${sim.coapPort}/fw/${values.token}`;
  say("  " + where);
  let heard = false;
  sim.on("telemetry", (v) => {
    heard = true;
    say("  device: " + JSON.stringify(v));
  });
  sim.on("request", () => (heard = true));
  sim.assign({ title: h.type, version: h.version, data: data, algorithm: values.algorithm });
  const waitS = values.wait !== undefined ? values.wait : values.emulate ? 600 : undefined;
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<"silent">((resolve) => {
    if (waitS === undefined) return;
    // Serving: silence means no board. Emulating: the board must also finish in that time.
    const check = () => (heard && !values.emulate ? undefined : resolve("silent"));
    timer = setTimeout(check, waitS * 1000);
  });
  const noAnswer = () => {
    if (heard) {
      const last = sim.telemetry.filter((t) => t.fw_state !== undefined).pop();
      const same = h.version === "0.0.0" ? " (it runs v0.0.0, the version offered: nothing to update, SAME_VERSION)" : "";
      say(`tb-sim: no update result from the emulated board after ${waitS} s; last state ${last ? last.fw_state : "none"}${same}`);
      return 1;
    }
    say(`tb-sim: no answer from the board on mqtt port ${sim.mqttPort}, http port ${sim.httpPort} or coap port ${sim.coapPort} (${values.host}) after ${waitS} s: no device sent telemetry or asked for the firmware`);
    return 1;
  };
  let code: number;
  if (!values.emulate) {
    const end = await Promise.race([silence, new Promise<"int">((resolve) => process.once("SIGINT", () => resolve("int")))]);
    code = end === "silent" ? noAnswer() : 0;
  } else {
    const r = await Promise.race([silence, emulate(sim, values.emulate, key, h.type, values.host, say)]);
    code = r === "silent" ? noAnswer() : r;
  }
  if (timer) clearTimeout(timer);
  await sim.close();
  return code;
}

/** An emulated board on v0.0.0 of the same type: pulls the image, reboots into it, confirms. */
async function emulate(sim: TbSim, transport: "mqtt" | "http" | "coap", key: string, type: string, host: string, say: (s: string) => void): Promise<number> {
  const board = loadBoard(key);
  const flash = new NorFlash({ geometry: board.geometry });
  const v0 = buildImage({ board: board.id, type: type, version: "0.0.0", build: "tb-sim", payload: new TextEncoder().encode("// factory image\n") });
  installFactory(flash, board, v0, 0);
  const store = ramStore();
  let dev: TbBoard | undefined;
  let boots = 0;
  const power = () => {
    if (dev) dev.stop();
    dev = powerOnTbBoard({
      board: board, flash: flash, store: store, clock: realClock, transport: transport, host: host,
      port: transport === "mqtt" ? sim.mqttPort : transport === "http" ? sim.httpPort : sim.coapPort, token: sim.token,
      onReboot: () => setTimeout(power, 200),
    });
    boots++;
    say(`board ${key} power-on ${boots}: slot ${dev.boot.slot} v${dev.boot.info ? dev.boot.info.version : "-"}`);
    // The emulated application is healthy as soon as it runs.
    if (boots > 1) dev.client.confirm();
  };
  power();
  const end = await Promise.race([sim.waitState("UPDATED"), sim.waitState("FAILED")]);
  if (dev) dev.stop();
  say(end.fw_state === "UPDATED" ? "tb-sim: the board runs the new image and confirmed it" : "tb-sim: update FAILED: the client refused it: " + end.fw_error);
  return end.fw_state === "UPDATED" ? 0 : 1;
}
