import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runFuzz } from "../src/fuzz/run.js";
import { FuzzTarget } from "../src/fuzz/target.js";
import { Frames } from "../src/fuzz/messages.js";
import { loadBoard } from "../src/board/files.js";
import { installFactory } from "../src/testbench/install.js";
import { NorFlash } from "../src/platform/host/norflash.js";
import { image } from "./support/rig.js";
import { ncpTransport } from "../src/testbench/transports.js";

const t = suite("fuzz");

t("a short deterministic run: no crash, no stray write, every session state reached", () => {
  const r = runFuzz({ seed: 7, inputs: 4000 });
  assert.is(r.crashes, 0, r.firstCrash);
  assert.is(r.strayWrites, 0);
  assert.is(r.lost, 0);
  for (const k of ["offer:0", "erased:0", "started:1", "finished:0", "confirmed:1", "refused:8", "refused:9"]) assert.ok(r.events[k] > 0, "reached " + k);
});

t("the same seed gives the same run", () => {
  const a = runFuzz({ seed: 3, inputs: 600 });
  const b = runFuzz({ seed: 3, inputs: 600 });
  assert.equal(a.events, b.events);
});

t("the checks can fail: a throwing handler is a crash, a write into the running slot is stray", () => {
  const board = loadBoard("linux");
  const flash = new NorFlash({ geometry: board.geometry });
  installFactory(flash, board, image(board, "1.0.0"), 0);
  // The client's event callback throws at an offer, as a bug inside the client would.
  const target = new FuzzTarget(board, flash, (link) => ncpTransport({
    link: link,
    onEvent: (n) => {
      if (n === "offer") throw new Error("bug");
    },
  }));
  const f = new Frames();
  target.feed(f.frame(f.offer(4000, "", "")));
  assert.is(target.crashes, 1);
  flash.eraseBlock(board.layout.slots[0].address, board.layout.slots[0].address + 1024);
  target.feed(new Uint8Array(0));
  assert.is(target.strayWrites, 1);
  assert.not.ok(target.intact());
});

t.run();
