import { NcpSimulator, type SimOptions } from "../../src/peers/ncp/simulator.js";
import type { NcpClient } from "../../src/ncp/client.js";
import { PoweredBoard } from "../../src/testbench/powered-board.js";
import { ncpTransport } from "../../src/testbench/transports.js";
import { LinkPair, type Wire } from "../../src/platform/host/links.js";
import { TYPE, factory, image, rig, type Rig } from "./rig.js";

export interface NcpRig extends Rig {
  pair: LinkPair;
  sim: NcpSimulator;
  dev: PoweredBoard<NcpClient>;
  img: Uint8Array;
  events: string[];
  /** Runs the fake clock in 10 ms steps until `done` or `maxMs` of simulated time. */
  until: (done: () => boolean, maxMs?: number) => boolean;
}

export function ncpRig(o: { key?: string; version?: string; size?: number; wire?: Wire; sim?: Partial<SimOptions>; baud?: { initial: number; fast: number }; chunkSize?: number; img?: Uint8Array } = {}): NcpRig {
  const r = rig(o.key || "linux");
  factory(r, "1.0.0", 3000);
  const pair = new LinkPair({ clock: r.clock, baud: o.baud ? o.baud.initial : 115200, wire: o.wire });
  const img = o.img || image(r.board, o.version || "2.0.0", o.size || 20000);
  const events: string[] = [];
  const sim = new NcpSimulator({ link: pair.a, clock: r.clock, image: img, type: TYPE, version: o.version || "2.0.0", build: "test", baud: o.baud ? o.baud.initial : undefined, ...o.sim });
  const dev = new PoweredBoard({
    board: r.board, flash: r.flash, clock: r.clock, unhealthyMark: "UNHEALTHY",
    transport: ncpTransport({
      link: pair.b, baud: o.baud, chunkSize: o.chunkSize,
      onEvent: (n, a) => {
        if (n !== "progress") events.push(n + ":" + a);
      },
    }),
  });
  const until = (done: () => boolean, maxMs = 600_000) => r.clock.runUntil(done, maxMs);
  return { ...r, pair: pair, sim: sim, dev: dev, img: img, events: events, until: until };
}
