import type { Board } from "../board/files.js";
import { boardStorage } from "../board/files.js";
import type { FakeClock } from "../platform/host/clock.js";
import { espruinoVM, type EspruinoVM } from "./espruino-vm.js";
import type { NorFlash } from "../platform/host/norflash.js";
import { NrfStandIn } from "./nrf.js";
import type { BootInfo } from "./bundle-board.js";

/**
 * A Bluetooth board running the *built* bundles under the Espruino stand-in
 * with an NRF stand-in: each power-on is a fresh VM (RAM and the connection
 * lost, flash kept) that runs boot.js, which evals the chosen image (ble.js +
 * application). E.reboot() powers it on again.
 */
export class BleBoard {
  readonly nrf = new NrfStandIn();
  boots: BootInfo[] = [];
  vm: EspruinoVM | undefined;

  constructor(private o: { board: Board; flash: NorFlash; clock: FakeClock; onBoot?: (b: BootInfo) => void }) {}

  get running(): BootInfo | undefined {
    return this.boots[this.boots.length - 1];
  }

  powerOn(): void {
    const o = this.o;
    if (this.vm) this.vm.kill();
    this.nrf.reset();
    const st = boardStorage(o.board, o.flash);
    if (st && (st.powerOn() === "reset" || !st.list().includes(o.board.ota.stubFile))) {
      this.vm = undefined;
      this.boot_({ slot: -1, reason: 4, type: "", version: "" });
      return;
    }
    o.flash.powerOn();
    const v = espruinoVM({
      storage: boardStorage(o.board, o.flash), flash: o.flash, clock: o.clock, memoryMapped: o.board.memoryMapped, nrf: this.nrf,
      onReboot: () => this.powerOn(),
    });
    this.vm = v;
    v.boot(o.board.key);
    const b = v.ctx.OTA_BOOT as BootInfo;
    this.boot_({ slot: b.slot, reason: b.reason, type: b.type, version: b.version });
  }

  private boot_(info: BootInfo): void {
    this.boots.push(info);
    if (this.o.onBoot) this.o.onBoot(info);
  }
}

/** Application source for test images: the BLE server, confirming at the first connection. */
export const BLE_APP = "OTA.ble();\n";
