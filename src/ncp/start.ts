import type { Clock } from "../hal/clock.js";
import type { Digest } from "../hal/digest.js";
import type { Flash } from "../hal/flash.js";
import type { Link } from "../hal/link.js";
import type { System } from "../hal/system.js";
import type { Layout } from "../core/layout.js";
import { trialReason } from "../boot/decide.js";
import { Session } from "../core/session.js";
import { NcpClient } from "./client.js";
import type { Crc8 } from "./crc8.js";
import { MAX_PAYLOAD, WRITE_OVERHEAD } from "./protocol.js";
import { Rpc } from "./rpc.js";

export interface NcpStartOptions {
  link: Link;
  clock: Clock;
  flash: Flash;
  digest: Digest;
  layout: Layout;
  crc8: Crc8;
  /** What the boot stub started: slot, boot reason (1 = trial) and the image's identity. */
  boot: { slot: number; reason: number; type: string; version: string; build: string };
  chunkSize: number;
  /** Confirms the running image once the NCP has answered; undefined = the application does. */
  confirm?: () => boolean;
  system: System;
  baud?: { initial: number; fast: number; setBaud: (b: number) => void };
  blynk?: string;
  onEvent?: (name: string, a?: number, b?: number) => void;
}

/** Wires session, RPC and client over one link, reports the running image, and ticks once a second. */
export function startNcp(o: NcpStartOptions): NcpClient {
  const b = o.boot;
  // A write frame (chunk + 16 bytes) must fit the 1536-byte frame limit.
  const chunk = Math.min(o.chunkSize, MAX_PAYLOAD + 1 - WRITE_OVERHEAD);
  const session = new Session(o, chunk);
  const client = new NcpClient({
    rpc: new Rpc({ link: o.link, clock: o.clock, crc8: o.crc8 }), session: session, clock: o.clock,
    firmware: { type: b.type, version: b.version, build: b.build }, chunkSize: chunk,
    trial: trialReason(b.reason), confirm: o.confirm, reboot: () => o.system.reboot(), baud: o.baud, blynk: o.blynk, onEvent: o.onEvent,
  });
  const tick = () => {
    client.tick();
    o.clock.setTimeout(tick, 1000);
  };
  o.clock.setTimeout(tick, 1000);
  client.begin();
  return client;
}
