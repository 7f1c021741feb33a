import type { OtaEnv } from "../core/open.js";
import type { Crc16 } from "./crc16.js";
import { BleOta, CHUNK_MAX } from "./server.js";
import { BleSession } from "./session.js";

export interface BleStartOptions {
  crc16: Crc16;
  notify: (uuid: number, value: Uint8Array) => void;
  reboot: () => void;
}

/** Wires session and server, and ticks once a second (the session's stall limit). */
export function startBle(e: OtaEnv, o: BleStartOptions): BleOta {
  const clock = e.clock;
  const ota = new BleOta({
    session: new BleSession(e, CHUNK_MAX),
    flash: e.flash, digest: e.digest, layout: e.layout, running: e.boot.slot, crc16: o.crc16, clock: clock, notify: o.notify, reboot: o.reboot,
  });
  const tick = () => {
    ota.tick();
    clock.setTimeout(tick, 1000);
  };
  clock.setTimeout(tick, 1000);
  return ota;
}
