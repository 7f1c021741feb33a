import type { Link } from "../hal/link.js";
import type { System } from "../hal/system.js";
import type { Booted, OtaEnv } from "../core/open.js";
import { trialReason } from "../boot/decide.js";
import { Session } from "../core/session.js";
import { NcpClient } from "./client.js";
import type { Crc8 } from "./crc8.js";
import { MAX_PAYLOAD, WRITE_OVERHEAD } from "./protocol.js";
import { Rpc } from "./rpc.js";

/** The board as startNcp needs it: what the boot stub started includes the boot reason (1 = trial) and the image's build. */
export interface NcpEnv extends OtaEnv {
  boot: Booted;
}

export interface NcpStartOptions {
  link: Link;
  crc8: Crc8;
  chunkSize: number;
  /** Confirms the running image once the NCP has answered; undefined = the application does. */
  confirm?: () => boolean;
  system: System;
  baud?: { initial: number; fast: number; setBaud: (b: number) => void };
  blynk?: string;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

/** Wires session, RPC and client over one link, reports the running image, and ticks once a second. */
export function startNcp(e: NcpEnv, o: NcpStartOptions): NcpClient {
  const b = e.boot;
  const clock = e.clock;
  // A write frame (chunk + 16 bytes) must fit the 1536-byte frame limit.
  const chunk = Math.min(o.chunkSize, MAX_PAYLOAD + 1 - WRITE_OVERHEAD);
  const session = new Session(e, chunk);
  const client = new NcpClient({
    rpc: new Rpc({ link: o.link, clock: clock, crc8: o.crc8 }), session: session, clock: clock,
    firmware: b, chunkSize: chunk,
    trial: trialReason(b.reason), confirm: o.confirm, reboot: () => o.system.reboot(), baud: o.baud, blynk: o.blynk, onEvent: o.onEvent,
  });
  const tick = () => {
    client.tick();
    clock.setTimeout(tick, 1000);
  };
  clock.setTimeout(tick, 1000);
  client.begin();
  return client;
}
