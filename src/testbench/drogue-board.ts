import { existsSync, readFileSync } from "node:fs";
import type { Link } from "../hal/link.js";
import { type Board, boardStorage } from "../board/files.js";
import type { FakeClock } from "../platform/host/clock.js";
import { espruinoVM, type EspruinoVM } from "./espruino-vm.js";
import { buildImage } from "./image.js";
import type { NorFlash } from "../platform/host/norflash.js";

export interface BootInfo {
  slot: number;
  reason: number;
  type: string;
  version: string;
}

/** The built Drogue client for a board: dist/espruino/<key>/drogue.js. */
export function drogueBundle(key: string): string {
  // Next to dist/cli.mjs; from the sources (tsx), in dist/.
  const near = new URL("./espruino/" + key + "/drogue.js", import.meta.url);
  const f = existsSync(near) ? near : new URL("../../dist/espruino/" + key + "/drogue.js", import.meta.url);
  if (!existsSync(f)) throw new Error("no built drogue.js for " + key + " (" + f.pathname + "): npm run build first");
  return readFileSync(f, "utf8");
}

/** Application source: start the Drogue client on `transport` (serial: Serial1 at 115200), events to the host; "silent": never starts it (never reports, never confirms). */
export function drogueApp(transport: "serial" | "http" | "mqtt" | "silent", port = 0): string {
  if (transport === "silent") return "global.SILENT=1;";
  const t = transport === "serial" ? "" : transport === "http" ? "http:{server:\"127.0.0.1\",port:" + port + "}," :
    "mqtt:{server:\"127.0.0.1\",port:" + port + ",app:\"app\",device:\"dev1\"},";
  return "DFU.start({" + t + "onEvent:global.HOST_EVENT});";
}

/** An image: the Drogue client bundle for the board, then the application. */
export function drogueImage(board: Board, type: string, version: string, app: string): Uint8Array {
  const js = drogueBundle(board.key) + "\n" + app + "\n";
  return buildImage({ board: board.id, type: type, version: version, build: "drogue-sim", payload: new TextEncoder().encode(js) });
}

/**
 * A board running the built boot stub and Drogue client under the Espruino
 * stand-in: each power-on is a fresh VM (RAM lost, flash kept); E.reboot()
 * powers on again. Serial1 is `link`; `modules` adds require("http") / ("MQTT").
 */
export class DrogueBoard {
  boots: BootInfo[] = [];
  vm: EspruinoVM | undefined;

  constructor(private o: {
    board: Board; flash: NorFlash; clock: FakeClock; link?: Link; modules?: () => Record<string, unknown>;
    onEvent?: (name: string, a?: number | string, b?: number | string) => void; onBoot?: (b: BootInfo) => void;
  }) {}

  get running(): BootInfo | undefined {
    return this.boots[this.boots.length - 1];
  }

  powerOn(): void {
    const o = this.o;
    if (this.vm) this.vm.kill();
    o.flash.powerOn();
    const v = espruinoVM({
      storage: boardStorage(o.board, o.flash), flash: o.flash, clock: o.clock, memoryMapped: o.board.memoryMapped, serial: o.link,
      onReboot: () => this.powerOn(),
    });
    this.vm = v;
    v.ctx.HOST_EVENT = (n: string, a?: number | string, b?: number | string) => o.onEvent && o.onEvent(n, a, b);
    v.ctx.btoa = (s: string) => Buffer.from(s, "latin1").toString("base64");
    const base = v.ctx.require as (name: string) => unknown;
    const mods = o.modules ? o.modules() : {};
    v.ctx.require = (name: string) => (name in mods ? mods[name] : base(name));
    v.boot(o.board.key);
    const b = v.ctx.OTA_BOOT as BootInfo;
    const info = { slot: b.slot, reason: b.reason, type: b.type, version: b.version };
    this.boots.push(info);
    if (o.onBoot) o.onBoot(info);
  }

  kill(): void {
    if (this.vm) this.vm.kill();
  }
}
