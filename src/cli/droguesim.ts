import { SerialPort } from "serialport";
import { SWAP, SYNC, WRITE } from "../drogue/protocol.js";
import { DROGUE_SIM } from "./commands.js";
import { CliError, type Parsed } from "./args.js";
import { checkImage, readInput } from "./image-check.js";
import { boardOfImage } from "./ncpsim.js";
import { Progress } from "./progress.js";
import { realClock } from "../platform/host/clock.js";
import type { HostStatus } from "../peers/drogue/codec.js";
import { startHttp, startMqtt } from "../peers/drogue/net.js";
import { runInProcess } from "../peers/drogue/run.js";
import { SerialService } from "../peers/drogue/serial.js";
import { DrogueService, type Faults, targetOf } from "../peers/drogue/service.js";

export const DROGUESIM_USAGE = DROGUE_SIM.usage + "\n";

const KINDS = ["Wait", "Sync", "Write", "Swap"];

/**
 * `espruino-ota drogue-sim`: Drogue IoT's update service for one image
 * (src/droguesim), in-process against the built drogue.js on emulated flash,
 * on a serial port in drgdfu's framing, or as HTTP + MQTT endpoints.
 */
export async function runDrogueSim(p: Parsed): Promise<number> {
  const v = p.values as {
    image?: string; "in-process"?: boolean; port?: string; serve?: boolean; transport: "serial" | "http" | "mqtt";
    "http-port": number; "mqtt-port": number; host: string; board?: string; mtu: number; lose?: number[]; double?: number[];
    "wrong-offset"?: number[]; "bad-checksum"?: boolean; "reset-after"?: number; "switch-after"?: number; "no-cid"?: boolean; wait: number;
  };
  const modes = [v["in-process"], v.port !== undefined, v.serve].filter(Boolean).length;
  if (!v.image || modes === 0) {
    process.stdout.write(DROGUESIM_USAGE);
    return 2;
  }
  if (modes > 1) throw new CliError("drogue-sim: one of --in-process, --port, --serve", 2);
  const data = readInput(v.image, "image");
  const check = checkImage(data);
  const h = check.info;
  if (!h) throw new CliError(v.image + ": " + check.problem + " (mkimage makes one)");
  const out = new Progress(process.stdout, data.length);
  const say = (s: string) => out.log(s);
  if (check.problem) say("drogue-sim: warning: " + v.image + ": " + check.problem + "; serving it anyway (the client must refuse it)");
  const faults: Faults = { lose: v.lose, double: v.double, wrongOffset: v["wrong-offset"], badChecksum: !!v["bad-checksum"], noCid: !!v["no-cid"] };
  say(`drogue-sim: ${h.type} v${h.version} for ${h.board} (${data.length} B)`);

  if (v["in-process"]) {
    const key = v.board || boardOfImage(h.board) || "linux";
    const text = new TextDecoder().decode(data);
    if (!text.includes("DFU.start(")) {
      say("drogue-sim: warning: the image's application never calls DFU.start(): the new image will not report, and will be rolled back");
    } else if (v.transport !== "serial" && !text.includes(v.transport + ":")) {
      say("drogue-sim: warning: the image's application does not start the client on " + v.transport + " (DFU.start({" + v.transport + ": {server: \"127.0.0.1\", port: " + v[v.transport === "http" ? "http-port" : "mqtt-port"] + ", ...}})): it will not report");
    }
    const r = await runInProcess({
      board: key, transport: v.transport, image: data, faults: faults, resetAfter: v["reset-after"], limitS: v.wait,
      switchAfter: v["switch-after"], httpPort: v["http-port"], mqttPort: v["mqtt-port"], log: (l) => say("  " + l), onProgress: (n) => out.update(n),
    });
    out.end();
    const last = r.boots[r.boots.length - 1];
    const s = r.service.log;
    say(`drogue-sim: ${r.outcome} after ${r.seconds.toFixed(1)} s (emulated): ${r.service.writes} Writes, ${s.filter((e) => e.answers.some((c) => c.kind === SWAP)).length} Swap, ` +
      `${s.filter((e) => e.answers.some((c) => c.kind === SYNC)).length} Sync; board ${key} runs ${last.version || "nothing"} (slot ${last.slot}, reason ${last.reason})`);
    return r.outcome === "confirmed" ? 0 : 1;
  }

  const service = new DrogueService(targetOf(data));
  service.faults = faults;
  let done = false;
  let heard = false;
  const answer = (st: HostStatus): ReturnType<DrogueService["answer"]> => {
    heard = true;
    const mtu = st.mtu ?? v.mtu;
    const cmds = service.answer(st.mtu === null ? { ...st, mtu: mtu } : st);
    if (st.update) out.update(st.update.offset);
    for (const c of cmds) {
      if (c.kind === WRITE) continue;
      say(`  status ${st.version}${st.update ? " (writing " + st.update.version + " at " + st.update.offset + ")" : ""} -> ${KINDS[c.kind]}` +
        (c.kind === SWAP ? " sha256 " + Buffer.from(c.checksum as Uint8Array).toString("hex").slice(0, 16) + "..." : ""));
      if (c.kind === SYNC && st.version === h.version) done = true;
    }
    return cmds;
  };
  const finished = new Promise<number>((resolve) => {
    const poll = setInterval(() => {
      if (done) {
        clearInterval(poll);
        resolve(0);
      }
    }, 100);
    const t = setTimeout(() => {
      clearInterval(poll);
      resolve(-1);
    }, v.wait * 1000);
    process.once("SIGINT", () => {
      clearTimeout(t);
      clearInterval(poll);
      resolve(130);
    });
  });
  let close = async () => {};
  if (v.port) {
    let port: SerialPort;
    try {
      port = await new Promise<SerialPort>((resolve, reject) => {
        const sp = new SerialPort({ path: v.port as string, baudRate: 115200 }, (e) => (e ? reject(e) : resolve(sp)));
      });
    } catch (e) {
      throw new CliError("drogue-sim: cannot open " + v.port + ": " + (e as Error).message);
    }
    const link = {
      write: (b: Uint8Array) => void port.write(Buffer.from(b)),
      onData: (fn: (d: Uint8Array | string) => void) => void port.on("data", (b: Buffer) => fn(new Uint8Array(b))),
      setBaud: () => {},
    };
    new SerialService(link, realClock, answer);
    say(`  serial ${v.port} at 115200 baud, drgdfu frames (1024 B, postcard)`);
    // The Sync must leave before the port closes: drain, then give the UART its line time.
    close = () => new Promise<void>((resolve) => port.drain(() => setTimeout(() => port.close(() => resolve()), 300)));
  } else {
    let hs, ms;
    try {
      hs = await startHttp((st) => answer(st), v["http-port"], v.host);
      ms = await startMqtt((st) => answer(st), v["mqtt-port"], v.host);
    } catch (e) {
      if (hs) await hs.close();
      throw new CliError("drogue-sim: " + (e as Error).message + "; choose another with --http-port / --mqtt-port (0 = any free port)");
    }
    say(`  http://${v.host}:${hs.port}/v1/dfu?ct=30   mqtt://${v.host}:${ms.port} (publish on dfu, commands on command/{app}/{device}/dfu)`);
    const a = hs;
    const b = ms;
    close = async () => {
      await a.close();
      await b.close();
    };
  }
  const code = await finished;
  out.end();
  await close();
  if (code === 0) say("drogue-sim: the board reports " + h.version + " and got its Sync: it confirms itself now");
  else if (code === -1) say(heard ? "drogue-sim: no Sync for " + h.version + " after " + v.wait + " s" : "drogue-sim: no answer from the board after " + v.wait + " s");
  return code === 0 ? 0 : code === 130 ? 0 : 1;
}
