import { readFileSync } from "node:fs";
import vm from "node:vm";
import { crc32, sha256 } from "../../src/platform/host/digest.js";
import type { NorFlash } from "../../src/platform/host/norflash.js";
import type { FakeClock } from "../../src/platform/host/clock.js";

/** Thrown out of the VM by E.reboot(): the host treats it as a power cycle. */
export class Reboot extends Error {}

export interface SerialPort {
  /** Bytes the device wrote. */
  onWrite: (bytes: Uint8Array) => void;
  /** Deliver bytes to the device's Serial1.on("data") as a string, as Espruino does. */
  receive(bytes: Uint8Array): void;
  baud: number;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const fromLatin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/**
 * A small stand-in for Espruino's API (E, Flash, crypto, Serial1, timers,
 * process.memory) over the NOR emulator, so the built device bundles run in
 * Node as shipped. Flash.write pads partial units with what is there, as
 * Espruino's jshFlashWriteAligned does.
 */
export function espruinoVM(o: { flash: NorFlash; clock: FakeClock; memoryMapped: boolean }) {
  const f = o.flash;
  const align = f.status().writeAlign;
  const log: string[] = [];
  let dataHandler: ((s: string) => void) | undefined;
  const serial: SerialPort = {
    onWrite: () => {},
    receive: (bytes) => {
      if (dataHandler) dataHandler(latin1(bytes));
    },
    baud: 0,
  };
  const Flash = {
    read: (len: number, addr: number) => f.read(len, addr),
    write: (data: Uint8Array | string, addr: number) => {
      const d = typeof data === "string" ? fromLatin1(data) : new Uint8Array(data);
      const start = addr - (addr % align);
      const end = Math.ceil((addr + d.length) / align) * align;
      const buf = f.read(end - start, start);
      for (let i = 0; i < d.length; i++) buf[addr - start + i] = d[i];
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
    CRC32: (d: Uint8Array | string) => crc32(typeof d === "string" ? fromLatin1(d) : d),
    toUint8Array: (s: string | Uint8Array) => (typeof s === "string" ? fromLatin1(s) : new Uint8Array(s)),
    toString: (b: Uint8Array) => latin1(b),
    memoryArea: (addr: number, len: number) => {
      if (!o.memoryMapped) return latin1(new Uint8Array(len));
      return latin1(f.read(len, addr));
    },
    reboot: () => {
      throw new Reboot("E.reboot()");
    },
    getErrorFlags: () => [],
  };
  const crypto = {
    SHA256: (d: Uint8Array | string) => {
      const b = sha256(typeof d === "string" ? fromLatin1(d) : d);
      return b.buffer.slice(b.byteOffset, b.byteOffset + 32);
    },
  };
  const Serial1 = {
    setup: (baud: number) => {
      serial.baud = baud;
    },
    on: (ev: string, h: (s: string) => void) => {
      if (ev === "data") dataHandler = h;
    },
    removeAllListeners: () => {
      dataHandler = undefined;
    },
    write: (d: Uint8Array | string) => serial.onWrite(typeof d === "string" ? fromLatin1(d) : new Uint8Array(d)),
  };
  const modules: Record<string, unknown> = { Flash: Flash, crypto: crypto };
  const ctx: Record<string, unknown> = {
    E: E, Serial1: Serial1,
    require: (name: string) => {
      if (!(name in modules)) throw new Error("Module " + name + " not found");
      return modules[name];
    },
    getTime: () => o.clock.now() / 1000,
    setTimeout: (fn: () => void, ms: number) => o.clock.setTimeout(fn, ms),
    clearTimeout: (h: unknown) => o.clock.clearTimeout(h),
    setInterval: () => {
      throw new Error("setInterval not in the stand-in");
    },
    process: { memory: () => ({ free: 0, usage: 0, total: 0 }) },
    console: { log: (...a: unknown[]) => log.push(a.join(" ")) },
    print: (...a: unknown[]) => log.push(a.join(" ")),
  };
  ctx.global = ctx;
  vm.createContext(ctx);
  return {
    ctx: ctx,
    serial: serial,
    log: log,
    run: (code: string, name = "code.js") => vm.runInContext(code, ctx, { filename: name }),
  };
}

export function bundle(board: string, name: "boot" | "client"): string {
  return readFileSync(new URL("../../dist/espruino/" + board + "/" + name + ".js", import.meta.url), "utf8");
}
