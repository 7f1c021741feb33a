import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseHeader } from "../core/header.js";
import { loadBoard } from "../platform/host/boards.js";
import { realClock } from "../platform/host/clock.js";
import { crc32 } from "../platform/host/digest.js";
import { buildImage } from "../platform/host/image.js";
import { installFactory } from "../platform/host/install.js";
import { NorFlash } from "../platform/host/norflash.js";
import { type TbBoard, powerOnTbBoard } from "../platform/host/tb/device.js";
import { ramStore } from "../platform/host/tb/modules.js";
import { TbSim } from "../platform/host/tb/sim.js";

export const TBSIM_USAGE = `  tb-sim --image F [--token T] [--mqtt-port N] [--http-port N] [--host H] [--algorithm A] [--emulate mqtt|http --board B]
                                a local ThingsBoard device-API stand-in (MQTT + HTTP) offering image F as firmware;
                                --emulate runs an emulated board against it until it reports UPDATED`;

/**
 * `espruino-ota tb-sim`: serves one image the way ThingsBoard serves an
 * assigned firmware package (shared attributes, MQTT v2/fw chunks, HTTP
 * /api/v1/{token}/firmware) and prints the device's telemetry. Point a
 * board's `TB.start({server, port, token})` at it, or pass --emulate.
 */
export async function runTbSim(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: args,
    options: {
      image: { type: "string" }, token: { type: "string", default: "ESPRUINO_OTA_TOKEN" },
      "mqtt-port": { type: "string", default: "1883" }, "http-port": { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" }, algorithm: { type: "string", default: "SHA256" },
      emulate: { type: "string" }, board: { type: "string", default: "linux" },
    },
  });
  if (!values.image) throw new Error("tb-sim needs --image");
  const data = new Uint8Array(readFileSync(values.image));
  const h = parseHeader(data, crc32).info;
  if (!h) throw new Error(values.image + " is not an image (see mkimage)");
  const sim = await TbSim.start({
    token: values.token as string, host: values.host,
    mqttPort: Number(values["mqtt-port"]), httpPort: Number(values["http-port"]),
  });
  const say = (s: string) => process.stdout.write(s + "\n");
  say(`tb-sim: ${h.type} v${h.version} (${data.length} B, ${values.algorithm}) for token ${values.token}`);
  say(`  mqtt://${values.host}:${sim.mqttPort}   http://${values.host}:${sim.httpPort}/api/v1/${values.token}/firmware`);
  sim.on("telemetry", (v) => say("  device: " + JSON.stringify(v)));
  sim.assign({ title: h.type, version: h.version, data: data, algorithm: values.algorithm });
  if (!values.emulate) {
    await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    await sim.close();
    return 0;
  }
  const code = await emulate(sim, values.emulate === "http" ? "http" : "mqtt", values.board as string, h.type, values.host as string, say);
  await sim.close();
  return code;
}

/** An emulated board on v0.0.0 of the same type: pulls the image, reboots into it, confirms. */
async function emulate(sim: TbSim, transport: "mqtt" | "http", key: string, type: string, host: string, say: (s: string) => void): Promise<number> {
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
      port: transport === "mqtt" ? sim.mqttPort : sim.httpPort, token: sim.token,
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
  say(end.fw_state === "UPDATED" ? "tb-sim: the board runs the new image and confirmed it" : "tb-sim: update FAILED: " + end.fw_error);
  return end.fw_state === "UPDATED" ? 0 : 1;
}
