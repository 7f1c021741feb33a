import type { Clock } from "../hal/clock.js";
import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import type { Layout } from "../core/layout.js";
import type { Crc16 } from "./crc16.js";
import { BleOta, CHUNK_MAX } from "./server.js";
import { BleSession } from "./session.js";

export interface BleStartOptions {
  flash: Flash;
  digest: Digest;
  layout: Layout;
  clock: Clock;
  crc16: Crc16;
  /** What the boot stub started: slot and the image's identity. */
  boot: { slot: number; type: string; version: string };
  notify: (uuid: number, value: Uint8Array) => void;
  reboot: () => void;
}

/** Wires session and server, and ticks once a second (the session's stall limit). */
export function startBle(o: BleStartOptions): BleOta {
  const b = o.boot;
  const ota = new BleOta({
    session: new BleSession(o, CHUNK_MAX),
    flash: o.flash, digest: o.digest, layout: o.layout, running: b.slot, crc16: o.crc16, clock: o.clock, notify: o.notify, reboot: o.reboot,
  });
  const tick = () => {
    ota.tick();
    o.clock.setTimeout(tick, 1000);
  };
  o.clock.setTimeout(tick, 1000);
  return ota;
}
