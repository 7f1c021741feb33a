import { suite } from "uvu";
import * as assert from "uvu/assert";
import { REPLAYABLE, runReplayFuzz } from "../src/fuzz/replay.js";
import { FuzzTarget } from "../src/fuzz/target.js";
import { loadBoard } from "../src/board/files.js";
import { installFactory } from "../src/testbench/install.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { image } from "./support/rig.js";

const t = suite("fuzz: the other transports, a recorded update replayed with edits");

// What a whole update ends with, per transport: the new image confirmed (Drogue), the upgrade and its reset (Zigbee, BLE).
const ENDS: Record<string, string> = { ncp: "confirmed:1", drogue: "confirmed:1", zigbee: "upgrade:2000", ble: "reboot:" };

for (const x of REPLAYABLE) {
  t(x.name + ": replayed unedited, every replay is a whole update", () => {
    const r = runReplayFuzz({ seed: 1, inputs: 1500, transport: x.name, edits: 0 });
    assert.is(r.crashes + r.strayWrites + r.lost + r.hangs, 0, r.firstCrash);
    assert.ok(r.events[ENDS[x.name]] >= 2, x.name + " ends an update: " + JSON.stringify(r.events));
  });

  t(x.name + ": with edits, no crash, no stray write, nothing lost", () => {
    const r = runReplayFuzz({ seed: 2, inputs: 3000, transport: x.name });
    assert.is(r.crashes, 0, r.firstCrash);
    assert.is(r.strayWrites, 0);
    assert.is(r.lost, 0);
    assert.ok(r.kinds.mutated > 0 && r.kinds.late > 0);
  });
}

t("the checks can fail on any transport: a client that throws, one that writes into the running slot", () => {
  const board = loadBoard("linux");
  const flash = new NorFlash({ geometry: board.geometry });
  installFactory(flash, board, image(board, "1.0.0"), 0);
  const s = board.layout.slots[0];
  const target = new FuzzTarget<number>(board, flash, (link) => ({
    name: "broken",
    start: (p) => {
      link.onData((d) => {
        if (d.length === 1) throw new Error("bug");
        p.env.flash.eraseBlock(s.address, s.address + flash.block(s.address).length);
      });
      return 0;
    },
  }));
  target.feed(new Uint8Array(1));
  assert.is(target.crashes, 1);
  target.feed(new Uint8Array(2));
  assert.is(target.strayWrites, 1);
  assert.not.ok(target.intact());
});

t("an unknown transport is refused by name", () => {
  assert.throws(() => runReplayFuzz({ seed: 1, inputs: 1, transport: "carrier-pigeon" }), /no replay fuzzer for carrier-pigeon \(ncp, drogue, zigbee, ble\)/);
});

t.run();
