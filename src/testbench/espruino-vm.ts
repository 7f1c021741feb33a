import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import type { Link } from "../hal/link.js";
import { POWER_ON_MARK } from "../core/storage-plan.js";
import type { FakeClock } from "../platform/host/clock.js";
import { crc32, sha256 } from "../platform/host/digest.js";
import { fromLatin1, toLatin1 } from "../platform/host/latin1.js";
import { espruinoUint16, mapInPlace, type View } from "./mapinplace.js";
import type { NorFlash } from "../platform/host/norflash.js";
import type { NrfStandIn } from "./nrf.js";
import type { StorageEmu } from "./storage.js";

export { POWER_ON_MARK };

/** Thrown inside the VM by E.reboot(): stops the running JavaScript, as a reset does. */
export class Reboot extends Error {}

export interface EspruinoVMOptions {
  flash: NorFlash;
  clock: FakeClock;
  memoryMapped: boolean;
  /** Where Serial1 goes; its data arrives as strings, as on Espruino. */
  serial?: Link;
  /** Called once E.reboot() ran; the VM is dead from then on. */
  onReboot?: () => void;
  /** require("Storage") with Espruino's rules (storage.ts), and what process.env.BOARD and process.version say. */
  storage?: StorageEmu;
  firmware?: { board: string; version: string };
  /** Bluetooth LE (NRF) as a peripheral with one central (nrf.ts). */
  nrf?: NrfStandIn;
}

const latin1 = toLatin1;
const bytes = (d: Uint8Array | string) => (typeof d === "string" ? fromLatin1(d) : new Uint8Array(d));

/**
 * A small stand-in for Espruino's API (E, Flash, crypto, Serial1, timers,
 * process.memory) over the NOR emulator, so the built device bundles run in
 * Node as shipped. Flash.write pads partial units with what is there, as
 * Espruino's jshFlashWriteAligned does. One VM is one power-on: its timers
 * die with it.
 */
export function espruinoVM(o: EspruinoVMOptions) {
  const f = o.flash;
  const align = f.status().writeAlign;
  const log: string[] = [];
  let alive = true;
  // Timers the board's JavaScript has set and not yet seen fire or cleared.
  const timers = new Set<unknown>();
  const guard = (fn: () => void) => () => {
    if (!alive) return;
    try {
      fn();
    } catch (e) {
      if (!(e instanceof Reboot)) throw e;
    }
  };
  const Flash = {
    read: (len: number, addr: number) => f.read(len, addr),
    write: (data: Uint8Array | string, addr: number) => {
      const d = bytes(data);
      const start = addr - (addr % align);
      const end = Math.ceil((addr + d.length) / align) * align;
      const buf = f.read(end - start, start);
      buf.set(d, addr - start);
      f.write(buf, start);
    },
    erasePage: (addr: number) => {
      const b = f.block(addr);
      f.eraseBlock(b.start, b.start + b.length);
    },
    getPage: (addr: number) => {
      const b = f.block(addr);
      return { addr: b.start, length: b.length };
    },
    getFree: () => [{ addr: f.status().base, length: f.status().size }],
  };
  const E = {
    CRC32: (d: Uint8Array | string) => crc32(bytes(d)),
    toUint8Array: (s: Uint8Array | string) => bytes(s),
    toString: (b: Uint8Array) => latin1(b),
    memoryArea: (addr: number, len: number) => latin1(o.memoryMapped ? f.read(len, addr) : new Uint8Array(len)),
    reboot: () => {
      alive = false;
      if (o.onReboot) o.clock.setTimeout(o.onReboot, 0);
      throw new Reboot("E.reboot()");
    },
    getErrorFlags: () => [],
    // Every buffer is one block in V8: flat.
    getAddressOf: () => 1,
    // E.sum (jswrap_espruino.c): the sum of an array's elements; device code passes typed arrays only.
    sum: (d: ArrayLike<number> | string) => {
      const b = typeof d === "string" ? fromLatin1(d) : d;
      let s = 0;
      for (let i = 0; i < b.length; i++) s += b[i];
      return s;
    },
    mapInPlace: (from: View, to: View, map: ArrayLike<number> | undefined, bits?: number) => mapInPlace(from, to, map, bits),
  };
  const crypto = {
    SHA256: (d: Uint8Array | string) => {
      const b = sha256(bytes(d));
      return b.buffer.slice(b.byteOffset, b.byteOffset + 32);
    },
  };
  const s = o.serial;
  const Serial1 = {
    setup: (baud: number) => s && s.setBaud(baud),
    on: (ev: string, h: (d: string) => void) => {
      if (ev === "data" && s) s.onData((b) => guard(() => h(typeof b === "string" ? b : latin1(b)))());
    },
    removeAllListeners: () => s && s.onData(() => {}),
    write: (d: Uint8Array | string) => alive && s && s.write(bytes(d)),
  };
  const modules: Record<string, unknown> = { Flash: Flash, crypto: crypto };
  const st = o.storage;
  if (st) {
    modules.Storage = {
      write: (n: string, d: Uint8Array | string, off?: number, size?: number) => st.write(n, bytes(d), off, size),
      // jsfReadFile (jsflash.c:1043): offset and length clipped to the file; on a board a memory-mapped or flash string.
      read: (n: string, off?: number, len?: number) => {
        const b = st.readBytes(n);
        if (!b) return undefined;
        const o2 = Math.min(Math.max(off || 0, 0), b.length);
        const l = !len || len <= 0 ? b.length : len;
        return latin1(b.subarray(o2, Math.min(b.length, o2 + l)));
      },
      erase: (n: string) => st.erase(n),
      list: () => st.list(),
      eraseAll: () => st.eraseAll(),
      getStats: () => {
        const x = st.stats();
        return { totalBytes: st.end - st.start, freeBytes: x.free, fileBytes: x.fileBytes, fileCount: x.fileCount, trashBytes: x.trashBytes, trashCount: x.trashCount };
      },
    };
  }
  const ctx: Record<string, unknown> = {
    E: E, Serial1: Serial1,
    require: (name: string) => {
      if (!(name in modules)) throw new Error("Module " + name + " not found");
      return modules[name];
    },
    getTime: () => o.clock.now() / 1000,
    setTimeout: (fn: () => void, ms: number) => {
      const g = guard(fn);
      const h: unknown = o.clock.setTimeout(() => {
        timers.delete(h);
        g();
      }, ms);
      timers.add(h);
      return h;
    },
    clearTimeout: (h: unknown) => {
      timers.delete(h);
      o.clock.clearTimeout(h);
    },
    process: {
      memory: () => ({ free: 0, usage: 0, total: 0 }),
      env: { BOARD: o.firmware ? o.firmware.board : "" }, version: o.firmware ? o.firmware.version : "2v29",
    },
    atob: (b64: string) => Buffer.from(b64, "base64").toString("latin1"),
    console: { log: (...a: unknown[]) => log.push(a.join(" ")) },
    print: (...a: unknown[]) => log.push(a.join(" ")),
  };
  if (o.nrf) ctx.NRF = o.nrf.api(guard);
  ctx.global = ctx;
  vm.createContext(ctx);
  ctx.Uint16Array = espruinoUint16(vm.runInContext("Uint16Array", ctx));
  // Espruino's Uint8Array.set takes a String and writes its char codes; V8's would write NaN (0).
  vm.runInContext(
    "(function(p){var set=p.set;p.set=function(a,o){if(typeof a==='string'){var b=new Uint8Array(a.length);for(var i=0;i<a.length;i++)b[i]=a.charCodeAt(i)&255;a=b;}return set.call(this,a,o);};})(Uint8Array.prototype)",
    ctx,
  );
  return {
    ctx: ctx,
    log: log,
    get alive() {
      return alive;
    },
    /** Power cut: nothing of this VM runs any more. */
    kill: () => {
      alive = false;
      // A dead board's timers go with it: on a real clock they would keep Node running (the stub's
      // trial watchdog is 120 s).
      for (const h of timers) o.clock.clearTimeout(h);
      timers.clear();
      if (s) s.onData(() => {});
    },
    /**
     * The boot files as Espruino runs them: `.bootPowerOn` only at a power-on
     * or hardware reset (`powerOn`), then `.boot0` (the stub of `board`).
     */
    boot(board: string, powerOn = true): void {
      if (powerOn) this.run(POWER_ON_MARK, ".bootPowerOn");
      this.run(bundle(board, "boot"), ".boot0");
    },
    /** Runs code as Espruino runs a boot file: an uncaught error is printed, not fatal. */
    run: (code: string, name = "code.js") =>
      guard(() => {
        try {
          vm.runInContext(code, ctx, { filename: name });
        } catch (e) {
          if (e instanceof Reboot || (e as Error).name === "Reboot") throw e;
          log.push("Uncaught " + (e instanceof Error ? e.message : String(e)));
        }
      })(),
  };
}

export type EspruinoVM = ReturnType<typeof espruinoVM>;

/** A built device bundle: dist/espruino/<board>/<name>.js (found from src/ or from dist/). */
export function bundle(board: string, name: "boot" | "client" | "ble" | "tb" | "zigbee" | "drogue"): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, d = dirname(d)) {
    for (const c of [join(d, "espruino"), join(d, "dist", "espruino")]) {
      const f = join(c, board, name + ".js");
      if (existsSync(f)) return readFileSync(f, "utf8");
    }
  }
  throw new Error("no built bundle for " + board + ": run npm run build");
}
