import { rmSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { UsageError, parseCommand, type Values } from "../src/cli/args.js";
import { ALL, FUZZ, NCP_SIM, TB_SIM } from "../src/cli/commands.js";
import { cli, cliHere, refused, tmp } from "./support/cli.js";

/* Issue 17: --help everywhere, one table-driven parser, bad options refused in one line with exit 2. */
const t = suite("cli: help and options");

t("--help (and no arguments) at the top level: usage listing every command, exit 0", () => {
  for (const args of [["--help"], ["-h"], []]) {
    const r = cli(args);
    assert.is(r.code, 0, args.join(" "));
    for (const c of ALL) assert.match(r.out, "  " + c.name);
    assert.is(r.err, "");
  }
});

for (const c of ALL) {
  t(c.name + " --help: its usage, exit 0, nothing run", async () => {
    const r = await cliHere([c.name, "--help"]);
    assert.is(r.code, 0, JSON.stringify(r));
    assert.match(r.out, "espruino-ota " + c.name);
    for (const k of Object.keys(c.options)) assert.match(r.out, "--" + k, c.name + " documents --" + k);
    assert.not.match(r.out, /factory:|ENOENT|power on/);
    assert.is(r.err, "");
  });
}

t("an unknown command or option: one line naming it and what is allowed, exit 2 (the built CLI, as a child process)", () => {
  refused(cli(["bogus"]), 2, /unknown command bogus \(commands: demo, mkimage, info, install, status, install-script, ncp-sim, ble-sim, zigate-sim, tb-sim, drogue-sim, sweep, fuzz\)/);
  refused(cli(["mkimage", "--foo"]), 2, /mkimage: unknown option --foo \(options: --app, --out, --board, --type, --version, --build, --with-client, --with-ble, --with-drogue, --zigbee-manufacturer, --zigbee-image-type, --zigbee-file-version\)/);
  refused(cli(["demo", "--fast"]), 2, /demo: unknown option --fast \(options: none\)/);
  refused(cli(["sweep", "extra"]), 2, /sweep: unexpected argument "extra"/);
  refused(cli(["mkimage", "--app"]), 2, /--app needs a value/);
  refused(cli(["mkimage", "--with-client=yes"]), 2, /--with-client takes no value/);
});

// The table's row: "--baud abc, --wait abc, --reset-after abc, tb-sim --mqtt-port abc, --emulate bogus, --faults corrupt=5: accepted or ignored".
const dir = tmp();
const BAD: [string[], RegExp][] = [
  [["ncp-sim", "--in-process", "--image", "x.img", "--baud", "abc"], /ncp-sim: --baud "abc": needs a baud rate, a whole number from 300 to 4000000/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--baud", "0"], /--baud "0": needs a baud rate/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--wait", "abc"], /ncp-sim: --wait "abc": needs seconds, a number from 0 to 86400/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--reset-after", "abc"], /ncp-sim: --reset-after "abc": needs chunks, a whole number/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--reset-after", "1.5"], /--reset-after "1.5": needs chunks, a whole number/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--retries", "-1"], /--retries "-1": needs a whole number from 0 to 100/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--seeds", "0"], /--seeds "0": needs a whole number from 1/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--faults", "corrupt=5"], /ncp-sim: --faults: a probability is at most 1: corrupt=5 \(corrupt=P,drop=P,dup=P with P from 0 to 1/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--faults", "drop=-0.1"], /--faults: bad fault value: drop=-0.1/],
  [["ncp-sim", "--in-process", "--image", "x.img", "--faults", "noise=1"], /--faults: unknown fault: noise/],
  [["ncp-sim", "--port", "/dev/null", "--in-process", "--image", "x.img"], /--port and --in-process exclude each other/],
  [["ncp-sim", "--port", "/dev/null", "--seeds", "2", "--image", "x.img"], /--seeds needs --in-process/],
  [["tb-sim", "--image", "x.img", "--mqtt-port", "abc"], /tb-sim: --mqtt-port "abc": needs a TCP port, a whole number from 0 to 65535/],
  [["tb-sim", "--image", "x.img", "--http-port", "70000"], /--http-port "70000": needs a TCP port/],
  [["tb-sim", "--image", "x.img", "--emulate", "bogus"], /tb-sim: --emulate "bogus": must be mqtt or http or coap/],
  [["tb-sim", "--image", "x.img", "--algorithm", "SHA1"], /--algorithm "SHA1": must be SHA256 or/],
  [["tb-sim", "--image", "x.img", "--wait", "soon"], /--wait "soon": needs seconds/],
  [["fuzz", "--inputs", "abc"], /fuzz: --inputs "abc": needs a whole number of at least 1/],
  [["fuzz", "--inputs", "0"], /--inputs "0": needs a whole number of at least 1/],
  [["fuzz", "--states", "0"], /--states "0"/],
  [["fuzz", "--seed", "x"], /--seed "x"/],
  [["fuzz", "--board", "nope"], /--board "nope": no such board \(boards: banglejs2, esp32, linux, mdbt42q, pixljs, puckjs\)/],
  [["sweep", "--board", ""], /sweep: --board "": must not be empty/],
  [["sweep", "--board", ","], /sweep: --board "," names no board/],
  [["sweep", "--board", "nope"], /sweep: --board nope: unknown board nope/],
  [["sweep", "--sample", "0"], /--sample "0"/],
  [["sweep", "--scenario", "nope"], /unknown --scenario nope \(scenarios: /],
];

for (const [args, what] of BAD) {
  t("refused, one line, exit 2: " + args.join(" "), async () => refused(await cliHere(args, { cwd: dir }), 2, what));
}

t("the parser itself: defaults, kinds, help, and the same refusals as UsageError", () => {
  const values = (p: ReturnType<typeof parseCommand>): Values => {
    if (p === "help") throw new Error("help");
    return p.values;
  };
  const v = values(parseCommand(NCP_SIM, ["--image", "a.img", "--in-process", "--faults", "drop=0.1", "--faults", "dup=0.1"]));
  assert.is(v.baud, 38400);
  assert.is(v.wait, 60);
  assert.equal(v.faults, ["drop=0.1", "dup=0.1"]);
  assert.is(parseCommand(TB_SIM, ["--mqtt-port", "1", "--help"]), "help");
  const q = values(parseCommand(FUZZ, ["--inputs=5"]));
  assert.equal([q.inputs, q.board], [5, "linux"]);
  assert.throws(() => parseCommand(FUZZ, ["--inputs", "1e3"]), (e: unknown) => e instanceof UsageError && e.exit === 2);
  assert.throws(() => parseCommand(TB_SIM, ["--mqtt-port", " "]), (e: unknown) => e instanceof UsageError);
});

t("fuzz: a run of 1 input and 1 state is still a run; 0 is refused above", async () => {
  const r = await cliHere(["fuzz", "--inputs", "1", "--states", "1"]);
  assert.is(r.code, 0, JSON.stringify(r));
  assert.match(r.out, /fuzz: 1 inputs, 0 crashes, 0 stray writes/);
  assert.match(r.out, /boot fuzz: 1 states/);
});

t.after(() => rmSync(dir, { recursive: true, force: true }));

t.run();
