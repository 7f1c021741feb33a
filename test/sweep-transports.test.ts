import { suite } from "uvu";
import * as assert from "uvu/assert";
import { REPLAYABLE, type Replayable } from "../src/fuzz/replay.js";
import { sweepTransport } from "../src/powercut/transports.js";

const t = suite("sweep: power cuts through each transport's client");

for (const r of REPLAYABLE) {
  t(r.name + ": a cut at every 3rd flash operation of a whole update, clean and torn: nothing bricked", () => {
    const x = sweepTransport(r, 3);
    assert.ok(x.ops > 10, r.name + " takes " + x.ops + " operations");
    assert.is(x.cuts, 2 * Math.ceil(x.ops / 3));
    assert.is(x.bricked, 0, x.failures.join("\n"));
  });
}

t("the checks can fail: a client that erases the running slot once it has erased the staging one is bricked", () => {
  const ncp = REPLAYABLE.find((r) => r.name === "ncp") as Replayable;
  const broken: Replayable = {
    name: "broken-ncp",
    record: ncp.record,
    transport: (link, onEvent) => {
      const inner = ncp.transport(link, onEvent);
      return {
        name: inner.name,
        start: (p) => {
          const f = p.env.flash;
          const running = p.env.layout.slots[p.env.boot.slot];
          let erased = false;
          // Its flash erases the running image right after the first erase of the staging slot.
          const bad = {
            status: () => f.status(), block: (a: number) => f.block(a), read: (n: number, a: number) => f.read(n, a), write: (b: Uint8Array, a: number) => f.write(b, a),
            eraseBlock: (s: number, e: number) => {
              f.eraseBlock(s, e);
              if (!erased) (erased = true), f.eraseBlock(running.address, running.address + running.size);
            },
          };
          return inner.start({ ...p, env: { ...p.env, flash: bad } });
        },
      };
    },
  };
  const x = sweepTransport(broken, 7);
  assert.ok(x.bricked > 0);
  assert.match(x.failures.join("\n"), /writes outside the staging slot|does not verify|no image/);
});

t.run();
