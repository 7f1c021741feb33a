import type { Link } from "../hal/link.js";
import type { Board } from "../board/files.js";
import type { FakeClock } from "../platform/host/clock.js";
import { espruinoVM, type EspruinoVM } from "./espruino-vm.js";
import type { NorFlash } from "../platform/host/norflash.js";
import type { StorageEmu } from "./storage.js";
import { boardStorage } from "../board/files.js";

export interface BootInfo {
  slot: number;
  reason: number;
  type: string;
  version: string;
}

/**
 * A board running the *built* bundles under the Espruino stand-in: each
 * power-on is a fresh VM (RAM lost, flash kept) that first does what the
 * firmware does with Storage (its power-on check, which may erase it all;
 * no stub file, no stub), then runs boot.js, which evals the chosen image
 * (client bundle + application) at global scope.
 */
export class BundleBoard {
  boots: BootInfo[] = [];
  vm: EspruinoVM | undefined;

  constructor(private o: { board: Board; flash: NorFlash; clock: FakeClock; link: Link; onEvent?: (name: string, a?: number, b?: number) => void; onBoot?: (b: BootInfo) => void }) {}

  get running(): BootInfo | undefined {
    return this.boots[this.boots.length - 1];
  }

  /** Storage as Espruino sees it on this flash, where the board has one (storage.ts). */
  storage(): StorageEmu | undefined {
    return boardStorage(this.o.board, this.o.flash);
  }

  powerOn(): void {
    const o = this.o;
    const st = this.storage();
    if (st && (st.powerOn() === "reset" || !st.list().includes(o.board.ota.stubFile))) {
      // Storage erased (by the firmware or by the user): nothing of ours runs, the REPL is free.
      if (this.vm) this.vm.kill();
      this.vm = undefined;
      const info = { slot: -1, reason: 4, type: "", version: "" };
      this.boots.push(info);
      if (o.onBoot) o.onBoot(info);
      return;
    }
    if (this.vm) this.vm.kill();
    o.flash.powerOn();
    const v = espruinoVM({
      storage: this.storage(),
      flash: o.flash, clock: o.clock, memoryMapped: o.board.memoryMapped, serial: o.link,
      onReboot: () => this.powerOn(),
    });
    this.vm = v;
    // The application's OTA.ncp({onEvent}) reports here.
    v.ctx.HOST_EVENT = (n: string, a?: number, b?: number) => o.onEvent && o.onEvent(n, a, b);
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

/** Application source for demo and test images: runs the NCP client; a bad release never confirms and resets after 5 s. */
export function appSource(o: { baud: number; healthy: boolean; fastBaud?: number }): string {
  const opts = "{baud:" + o.baud + (o.fastBaud ? ",fastBaud:" + o.fastBaud : "") + ",autoConfirm:" + o.healthy + ",onEvent:global.HOST_EVENT}";
  return "OTA.ncp(" + opts + ");\n" + (o.healthy ? "" : "setTimeout(function(){E.reboot();},5000);\n");
}
