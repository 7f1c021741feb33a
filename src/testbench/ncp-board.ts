import { decideBoot, type BootChoice } from "../boot/decide.js";
import { confirmRunning } from "../boot/confirm.js";
import type { Link } from "../hal/link.js";
import type { NcpClient } from "../ncp/client.js";
import { crc8 } from "../ncp/crc8.js";
import { startNcp } from "../ncp/start.js";
import type { Board } from "../board/files.js";
import type { FakeClock } from "../platform/host/clock.js";
import { hostDigest } from "../platform/host/digest.js";
import type { NorFlash } from "../platform/host/norflash.js";

export interface VirtualBoardOptions {
  board: Board;
  flash: NorFlash;
  clock: FakeClock;
  link: Link;
  /** Images whose payload contains this text never confirm and crash after 5 s, as a bad release would. */
  unhealthyMark?: string;
  baud?: { initial: number; fast: number };
  chunkSize?: number;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

/**
 * A board running the client's TypeScript sources against emulated flash:
 * power-on runs the boot stub's decision, then the NCP client; a reboot is a
 * fresh power-on with the same flash (RAM state is dropped).
 */
export class VirtualBoard {
  boots: BootChoice[] = [];
  client: NcpClient | undefined;
  private o_: VirtualBoardOptions;
  private life_ = 0;

  constructor(o: VirtualBoardOptions) {
    this.o_ = o;
  }

  get running(): BootChoice | undefined {
    return this.boots[this.boots.length - 1];
  }

  powerOn(): BootChoice {
    const o = this.o_;
    const life = ++this.life_;
    o.flash.powerOn();
    const digest = hostDigest(o.flash);
    const b = decideBoot({ flash: o.flash, digest: digest, layout: o.board.layout });
    this.boots.push(b);
    this.client = undefined;
    if (!b.info) return b;
    const payload = o.flash.read(b.info.payloadLength, o.board.layout.slots[b.slot].address + 128);
    const healthy = !o.unhealthyMark || Buffer.from(payload).indexOf(o.unhealthyMark) < 0;
    // Timers of an earlier life must not act on this one.
    const clock = o.clock.scoped(() => life === this.life_);
    if (o.baud) o.link.setBaud(o.baud.initial);
    const link = o.link;
    this.client = startNcp({
      link: link, clock: clock, flash: o.flash, digest: digest, layout: o.board.layout, crc8: crc8,
      boot: { slot: b.slot, reason: b.reason, type: b.info.type, version: b.info.version, build: b.info.build },
      chunkSize: o.chunkSize || o.board.chunkSize,
      confirm: () => healthy && confirmRunning({ flash: o.flash, digest: digest, layout: o.board.layout, running: b.slot }),
      system: { reboot: () => clock.setTimeout(() => this.powerOn(), 10), memoryFree: () => 0 },
      baud: o.baud ? { initial: o.baud.initial, fast: o.baud.fast, setBaud: (x) => link.setBaud(x) } : undefined,
      onEvent: o.onEvent,
    });
    if (!healthy) clock.setTimeout(() => this.powerOn(), 5000);
    return b;
  }

  /** Power cut: the board stops now; call powerOn() to start it again. */
  kill(): void {
    this.life_++;
    this.client = undefined;
    this.o_.link.onData(() => {});
  }
}
