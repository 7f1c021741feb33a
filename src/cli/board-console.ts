import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { CliError } from "./args.js";

/**
 * A board's JavaScript console through the `espruino` npm package's library
 * API (EspruinoTools: `Espruino.Core.Serial` to connect,
 * `Espruino.Core.Utils.executeExpression` to evaluate), offline: nothing
 * queried on connect (ENV_ON_CONNECT), no module, board JSON or compiler
 * look-ups. `tcp://host:port` goes through its Node Socket device (Espruino's
 * Linux build with `--telnet` serves its console on 2323); anything else is a
 * serial port through its Node Serial device, which needs the package's
 * native `serialport` binding. The package logs freely to the console: while
 * a board console is open its lines go nowhere (to stderr with
 * ESPRUINO_OTA_DEBUG).
 */
export interface BoardConsole {
  readonly port: string;
  /** The value of `expr` on the board (through JSON); a CliError when it throws or nothing answers in `seconds`. */
  eval<T>(expr: string, seconds?: number): Promise<T>;
  close(): Promise<void>;
}

/* The package's own API, as much of it as is used here. */
interface Tools {
  Config: Record<string, unknown>;
  Core: {
    Serial: {
      devices: { name: string; getPorts: (cb: (ports: { path: string }[] | undefined, instant?: boolean) => void) => void }[];
      getPorts(cb: () => void): void;
      open(port: string, onOpen: (status: unknown) => void, onClose: () => void): void;
      startListening(cb: (data: ArrayBuffer) => void): void;
      close(): void;
    };
    Utils: { executeExpression(expr: string, cb: (result: string | undefined) => void, o?: { minTimeout?: number; maxTimeout?: number }): void };
  };
}

const CONSOLE = ["log", "info", "warn", "error", "debug"] as const;

/** Sends the package's console output away until the returned function puts it back. */
function hush(): () => void {
  const saved = CONSOLE.map((k) => console[k]);
  const sink = (...a: unknown[]) => void (process.env.ESPRUINO_OTA_DEBUG && process.stderr.write("espruino: " + a.map(String).join(" ") + "\n"));
  for (const k of CONSOLE) console[k] = sink;
  return () => CONSOLE.forEach((k, i) => (console[k] = saved[i]));
}

let tools: Tools | undefined;
/** The Node Serial device's own port list, before the named port is added to it. */
let serialList: Tools["Core"]["Serial"]["devices"][number]["getPorts"] | undefined;

async function loadTools(): Promise<Tools> {
  if (tools) return tools;
  const esp = createRequire(import.meta.url)("espruino") as { init(cb: () => void): void };
  await new Promise<void>((resolve) => esp.init(resolve));
  const t = (globalThis as unknown as { Espruino: Tools }).Espruino;
  Object.assign(t.Config, {
    ENV_ON_CONNECT: false, MODULE_URL: "", MODULE_PROXY_ENABLED: false, BOARD_JSON_URL: "", COMPILATION: false,
    BLUETOOTH_LOW_ENERGY: false, BLUETOOTH_LOW_ENERGY_DBUS: false, WEB_BLUETOOTH: false, SET_TIME_ON_WRITE: false,
    RESET_BEFORE_SEND: false, SAVE_ON_SEND: 0,
  });
  return (tools = t);
}

/** Why `tcp://host:port` does not accept a connection, or "" when it does (the connection is closed again). */
function probeTcp(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: host, port: port, timeout: 5000 });
    s.on("connect", () => (s.destroy(), resolve("")));
    s.on("timeout", () => (s.destroy(), resolve("no answer in 5 s")));
    s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED" ? "connection refused (nothing listens there; Espruino's Linux build serves its console with --telnet on 2323)" : e.code || e.message));
  });
}

export async function openConsole(port: string, o: { baud?: number } = {}): Promise<BoardConsole> {
  const tcp = /^tcp:\/\/([^:/]*)(?::(\d+))?\/?$/.exec(port);
  if (port.startsWith("tcp://") && !tcp) throw new CliError("--port " + port + ": needs tcp://host:port", 2);
  if (tcp) {
    const why = await probeTcp(tcp[1] || "localhost", tcp[2] ? +tcp[2] : 23);
    if (why) throw new CliError(port + ": " + why);
  } else if (!existsSync(port)) throw new CliError(port + ": no such serial port");
  const restore = hush();
  let t: Tools;
  try {
    t = await loadTools();
  } catch (e) {
    restore();
    throw new CliError("the espruino package does not load: " + (e as Error).message);
  }
  const S = t.Core.Serial;
  t.Config.BAUD_RATE = o.baud || 9600;
  if (tcp) {
    t.Config.SERIAL_TCPIP = [port];
    t.Config.SERIAL_THROTTLE_SEND = 2; // "Never": a TCP link needs no pacing
  } else {
    t.Config.SERIAL_THROTTLE_SEND = 0; // "Auto": small paced writes, as the package does for serial
    const dev = S.devices.find((d) => d.name === "Node Serial");
    if (!dev) {
      restore();
      throw new CliError(port + ": serial ports need the espruino package's native serialport binding, which is not built here (npm rebuild serialport, or use tcp://host:port)", 2);
    }
    // serialport lists ports through udev and never lists a pty: offer the named port whatever it lists.
    const list = (serialList ||= dev.getPorts.bind(dev));
    dev.getPorts = (cb) => list((ports) => cb([...(ports || []).filter((p) => p.path !== port), { path: port }], true));
  }
  await new Promise<void>((r) => S.getPorts(r));
  let closed = false;
  let onClosed = () => {};
  const opened = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    S.startListening(() => {});
    S.open(port, (status) => (clearTimeout(timer), resolve(status !== undefined)), () => ((closed = true), onClosed()));
  });
  if (!opened) {
    restore();
    throw new CliError(port + ": the espruino package could not open it");
  }
  let busy = Promise.resolve();
  const evalOnce = <T>(expr: string, seconds: number) =>
    new Promise<T>((resolve, reject) => {
      if (closed) return reject(new CliError(port + ": the connection closed"));
      // Errors come back as values: the console would print them without the markers the package waits for.
      const wrapped = "(function(){try{return {v:(" + expr + ")};}catch(e){return {e:''+e};}})()";
      t.Core.Utils.executeExpression(wrapped, (r) => {
        if (r === undefined) return reject(new CliError(closed ? port + ": the connection closed" : "no answer from the board on " + port + " in " + seconds + " s"));
        let v: { v?: T; e?: string };
        try {
          v = JSON.parse(r);
        } catch {
          return reject(new CliError("the board answered something that is not JSON: " + r.trim().slice(0, 80)));
        }
        if (v.e !== undefined) return reject(new CliError("the board threw: " + v.e));
        resolve(v.v as T);
      }, { minTimeout: seconds, maxTimeout: seconds });
    });
  return {
    port: port,
    eval<T>(expr: string, seconds = 5): Promise<T> {
      const p = busy.then(() => evalOnce<T>(expr, seconds));
      busy = p.then(() => undefined, () => undefined);
      return p;
    },
    async close() {
      await busy;
      if (!closed) {
        const gone = new Promise<void>((r) => {
          onClosed = r;
          setTimeout(r, 2000);
        });
        S.close();
        await gone;
      }
      restore();
    },
  };
}
