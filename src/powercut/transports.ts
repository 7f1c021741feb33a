import { REPLAYABLE, pace, type Recording, type Replayable } from "../fuzz/replay.js";
import { FuzzTarget } from "../fuzz/target.js";
import { NorFlash } from "../platform/host/norflash.js";
import { PowerCut } from "../platform/host/power.js";

/** One transport's cuts: how many flash operations an uncut update takes, and what the cuts found. */
export interface TransportTally {
  transport: string;
  ops: number;
  cuts: number;
  bricked: number;
  failures: string[];
}

const isCut = (e: unknown) => e instanceof PowerCut;

/** Plays the recording on `t` unedited, at its pace, until it ends or the flash loses power; then time for what ends an update. */
function play(t: FuzzTarget<unknown>, rec: Recording): void {
  let since = 0;
  for (const p of rec.pieces) {
    if (t.flash.dead) return;
    since = pace(t, p, since);
    t.feed(p.bytes);
  }
  t.idle(10000);
}

/**
 * The power-cut sweep through a transport (the sweep proper plays the server
 * on the session itself): the recorded update from the transport's real
 * peer is replayed through its client on a PoweredBoard, and power fails at
 * every flash operation, clean and torn. Judged: until the cut, nothing
 * written outside the staging slot and the record banks; at the next
 * power-up the stub starts an image that verifies; the update replayed again
 * from there writes nothing stray and leaves an image that verifies; no
 * exception out of the client but the power cut itself.
 */
export function sweepTransport(r: Replayable, every = 1): TransportTally {
  const rec = r.record();
  const clean = new NorFlash({ geometry: rec.board.geometry, data: rec.flash.slice() });
  const first = new FuzzTarget<unknown>(rec.board, clean, r.transport);
  // From after the first power-up, as the cuts below count.
  const from = clean.ops;
  play(first, rec);
  const ops = clean.ops - from;
  const tally: TransportTally = { transport: r.name, ops: ops, cuts: 0, bricked: 0, failures: [] };
  const fail = (what: string) => {
    tally.bricked++;
    if (tally.failures.length < 10) tally.failures.push(what);
  };
  for (let k = 1; k <= ops; k += every) {
    for (const tear of [false, true]) {
      const flash = new NorFlash({ geometry: rec.board.geometry, data: rec.flash.slice() });
      const t = new FuzzTarget<unknown>(rec.board, flash, r.transport, isCut);
      flash.cutPower({ at: flash.ops + k, tear: tear });
      play(t, rec);
      const at = r.name + " cut at operation " + k + (tear ? " (torn)" : "");
      if (!flash.dead) {
        fail(at + ": the cut never fired");
        continue;
      }
      tally.cuts++;
      flash.powerOn();
      try {
        t.powerOn();
      } catch (e) {
        fail(at + ": " + (e as Error).message);
        continue;
      }
      if (!t.intact()) fail(at + ": the image started after the cut does not verify");
      play(t, rec);
      if (t.strayWrites) fail(at + ": " + t.strayWrites + " writes outside the staging slot and the banks");
      if (t.crashes) fail(at + ": " + t.firstCrash.split("\n")[0]);
      if (!t.intact()) fail(at + ": after the update again, the running image does not verify");
    }
  }
  return tally;
}

/** Every transport the fuzzer replays. */
export function sweepTransports(every = 1, names?: string[]): TransportTally[] {
  return REPLAYABLE.filter((r) => !names || names.includes(r.name)).map((r) => sweepTransport(r, every));
}
