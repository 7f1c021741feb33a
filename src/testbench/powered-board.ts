import { confirmRunning } from "../boot/confirm.js";
import { type BootChoice, decideBoot } from "../boot/decide.js";
import type { Booted, OtaEnv } from "../core/open.js";
import type { Board } from "../board/files.js";
import type { Clock } from "../hal/clock.js";
import type { Flash } from "../hal/flash.js";
import type { FakeClock } from "../platform/host/clock.js";
import { crc32, hostDigest } from "../platform/host/digest.js";
import { HEADER_SIZE, parseHeader } from "../core/header.js";
import type { NorFlash } from "../platform/host/norflash.js";

/** One power-up as a transport's start sees it: the board's HAL, the image started, and what the application does. */
export interface PowerUp {
  env: OtaEnv & { boot: Booted };
  board: Board;
  /** Marks the running image healthy (false for an image that never confirms). */
  confirm(): boolean;
  /** The client asks for a reset: the board powers on again a moment later. */
  reboot(): void;
}

/**
 * A transport on the host: starts its client on a powered-up board and
 * returns it (or whatever the caller needs of it). A new transport gets the
 * simulators', the fuzzer's and the sweep's board by adding one of these.
 */
export interface Transport<C> {
  name: string;
  start(p: PowerUp): C;
  /** The power is cut: let go of the host link (default: nothing). */
  stop?(): void;
}

export interface PoweredBoardOptions<C> {
  board: Board;
  /** The emulated flash: powered on at each power-up. */
  flash: NorFlash;
  /** What the code under test reads and writes through (the flash itself, or a probe around it). */
  code?: Flash;
  /** A FakeClock gives each life its own timers (an earlier life's never fire); a real clock is used as it is. */
  clock: FakeClock | Clock;
  transport: Transport<C>;
  /** Images whose payload contains this text never confirm and crash after 5 s, as a bad release would. */
  unhealthyMark?: string;
  /** Runs each timer callback of the client (the fuzzer counts what throws). */
  wrap?: (f: () => void) => void;
  /** The boot decision in place of decideBoot (the sweep's deliberate faults). */
  decide?: typeof decideBoot;
}

/**
 * A board on the host: each power-up runs the boot stub's decision on the
 * emulated flash, then starts the transport's client for the image it chose
 * (nothing when there is none); a reboot is a fresh power-up with the same
 * flash, RAM state dropped. Timers of an earlier life never act on a later one.
 */
export class PoweredBoard<C> {
  boots: BootChoice[] = [];
  client: C | undefined;
  private o_: PoweredBoardOptions<C>;
  private life_ = 0;
  private up_: PowerUp | undefined;

  constructor(o: PoweredBoardOptions<C>) {
    this.o_ = o;
  }

  get running(): BootChoice | undefined {
    return this.boots[this.boots.length - 1];
  }

  /** Power-up: the flash gets power, the boot stub decides, and the client starts for what it started. */
  powerOn(): BootChoice {
    this.o_.flash.powerOn();
    return this.reset();
  }

  /** A reset (E.reboot(), a crash): the flash keeps its power (a cut armed for later still fires); the stub and client start again. */
  reset(): BootChoice {
    const b = this.boot();
    const i = b.info;
    if (i) this.start({ slot: b.slot, reason: b.reason, type: i.type, version: i.version, build: i.build });
    return b;
  }

  /**
   * The boot stub alone, on flash that has power: a new life begins (RAM
   * lost) and the decision is made; `powerOn` false is reset() or load(),
   * where the stub starts the same image and writes nothing.
   */
  boot(powerOn = true): BootChoice {
    const o = this.o_;
    this.life_++;
    this.client = undefined;
    this.up_ = undefined;
    const code = this.code_();
    const b = (o.decide || decideBoot)({ flash: code, digest: hostDigest(code), layout: o.board.layout, powerOn: powerOn });
    this.boots.push(b);
    return b;
  }

  /** The application starts the transport's client, in this life, for the image the stub started. */
  start(boot: Booted): C {
    const o = this.o_;
    const life = this.life_;
    const code = this.code_();
    const digest = hostDigest(code);
    const layout = o.board.layout;
    const healthy = !o.unhealthyMark || !this.marked_(boot.slot, o.unhealthyMark);
    const clock: Clock = "scoped" in o.clock ? o.clock.scoped(() => life === this.life_, o.wrap) : o.clock;
    const up: PowerUp = {
      env: { flash: code, digest: digest, layout: layout, clock: clock, boot: boot },
      board: o.board,
      confirm: () => healthy && confirmRunning({ flash: code, digest: digest, layout: layout, running: boot.slot }),
      reboot: () => clock.setTimeout(() => this.reset(), 10),
    };
    this.up_ = up;
    this.client = o.transport.start(up);
    if (!healthy) clock.setTimeout(() => this.reset(), 5000);
    return this.client;
  }

  /** The application confirms the running image (false before start(), or for an image that never confirms). */
  confirm(): boolean {
    return !!this.up_ && this.up_.confirm();
  }

  /** Power cut: the board stops now (its timers die with it); powerOn() starts it again. */
  kill(): void {
    this.life_++;
    this.client = undefined;
    this.up_ = undefined;
    if (this.o_.transport.stop) this.o_.transport.stop();
  }

  /** The image in `slot` carries `mark` in its payload. */
  private marked_(slot: number, mark: string): boolean {
    const code = this.code_();
    const at = this.o_.board.layout.slots[slot].address;
    const h = parseHeader(code.read(HEADER_SIZE, at), crc32).info;
    return !!h && Buffer.from(code.read(h.payloadLength, at + HEADER_SIZE)).indexOf(mark) >= 0;
  }

  private code_(): Flash {
    return this.o_.code || this.o_.flash;
  }
}
