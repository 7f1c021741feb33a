import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";

const t = suite("c port");
const root = fileURLToPath(new URL("..", import.meta.url));
const out = root + ".tmp/c";
const cc = process.env.CC || "cc";
const FLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"];
const SOURCES = ["src/checksum.c", "src/sha256.c", "src/header.c", "src/record.c", "src/decide.c", "src/session.c", "src/ncp.c", "test/json.c", "test/runner.c"];

t("the C port builds with -Wall -Wextra -Werror -std=c99 and agrees with every vector", () => {
  mkdirSync(out, { recursive: true });
  const build = spawnSync(cc, [...FLAGS, "-Ic/include", "-o", out + "/runner", ...SOURCES.map((s) => "c/" + s)], { cwd: root, encoding: "utf8" });
  if (build.error) assert.unreachable("no C compiler (" + cc + ": " + build.error.message + "); install one or set CC: this test does not skip");
  assert.is(build.status, 0, "compile failed:\n" + build.stderr);
  const run = spawnSync(out + "/runner", [root + "vectors"], { cwd: root, encoding: "utf8" });
  assert.is(run.status, 0, "vectors failed:\n" + run.stdout + run.stderr);
  assert.match(run.stdout, /^OK: \d+ vectors passed, 0 failed$/m);
  for (const part of ["checksums.json", "header.json", "record.json", "boot.json", "ncp.json", "thingsboard.json", "session.json"]) assert.match(run.stdout, part);
});

t.run();
