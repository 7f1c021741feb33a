import type { Link } from "../hal/link.js";
import type { Board } from "../board/files.js";
import type { FakeClock } from "../platform/host/clock.js";
import { espruinoVM, type EspruinoVM } from "./espruino-vm.js";
import type { NorFlash } from "../platform/host/norflash.js";
import type { StorageEmu } from "./storage.js";
import type { NrfStandIn } from "./nrf.js";
import { boardStorage } from "../board/files.js";

export interface BootInfo {
  slot: number;
  reason: number;
  type: string;
  version: string;
}

/** `A`: what the application's events carry (numbers; Drogue's also strings). */
export interface BundleBoardOptions<A = number> {
  board: Board;
  flash: NorFlash;
  clock: FakeClock;
  /** Serial1 (Blynk.NCP, Zigbee's XBee, Drogue's serial framing). */
  link?: Link;
  /** Bluetooth (ble.js): reset at each power-on, as the connection is lost. */
  nrf?: NrfStandIn;
  /** Modules `require` returns besides the stand-in's own (http, MQTT), made anew at each power-on. */
  modules?: () => Record<string, unknown>;
  /** The application's `onEvent: global.HOST_EVENT` reports here. */
  onEvent?: (name: string, a?: A, b?: A) => void;
  onBoot?: (b: BootInfo) => void;
}

/**
 * A board running the *built* bundles under the Espruino stand-in, whatever
 * the transport: each power-on is a fresh VM (RAM lost, flash kept) that
 * first does what the firmware does with Storage (its power-on check, which
 * may erase it all; no stub file, no stub), then runs boot.js, which evals
 * the chosen image (client bundle + application) at global scope.
 * E.reboot() powers it on again.
 */
export class BundleBoard<A = number> {
  boots: BootInfo[] = [];
  vm: EspruinoVM | undefined;

  constructor(private o: BundleBoardOptions<A>) {}

  get running(): BootInfo | undefined {
    return this.boots[this.boots.length - 1];
  }

  /** Storage as Espruino sees it on this flash, where the board has one (storage.ts). */
  storage(): StorageEmu | undefined {
    return boardStorage(this.o.board, this.o.flash);
  }

  powerOn(): void {
    const o = this.o;
    if (this.vm) this.vm.kill();
    this.vm = undefined;
    if (o.nrf) o.nrf.reset();
    const st = this.storage();
    if (st && (st.powerOn() === "reset" || !st.list().includes(o.board.ota.stubFile))) {
      // Storage erased (by the firmware or by the user): nothing of ours runs, the REPL is free.
      this.boot_({ slot: -1, reason: 4, type: "", version: "" });
      return;
    }
    o.flash.powerOn();
    const v = espruinoVM({
      storage: this.storage(), flash: o.flash, clock: o.clock, memoryMapped: o.board.memoryMapped, serial: o.link, nrf: o.nrf,
      onReboot: () => this.powerOn(),
    });
    this.vm = v;
    v.ctx.HOST_EVENT = (n: string, a?: A, b?: A) => o.onEvent && o.onEvent(n, a, b);
    v.ctx.btoa = (s: string) => Buffer.from(s, "latin1").toString("base64");
    if (o.modules) {
      const base = v.ctx.require as (name: string) => unknown;
      const mods = o.modules();
      v.ctx.require = (name: string) => (name in mods ? mods[name] : base(name));
    }
    v.boot(o.board.key);
    const b = v.ctx.OTA_BOOT as BootInfo;
    this.boot_({ slot: b.slot, reason: b.reason, type: b.type, version: b.version });
  }

  kill(): void {
    if (this.vm) this.vm.kill();
  }

  private boot_(info: BootInfo): void {
    this.boots.push(info);
    if (this.o.onBoot) this.o.onBoot(info);
  }
}
