import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as assert from "uvu/assert";

/** The built CLI (npm test builds first), run as a user would. */
export const CLI = fileURLToPath(new URL("../../dist/cli.mjs", import.meta.url));

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

export function cli(args: string[], o: { cwd?: string; timeout?: number } = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: o.cwd, encoding: "utf8", timeout: o.timeout || 60_000, env: { ...process.env, ESPRUINO_OTA_DEBUG: "" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), "eota-cli-"));
}

/** An expected failure: the exit code, exactly one line on stderr matching `what`, no stack trace, nothing on stdout. */
export function refused(r: Run, code: number, what: RegExp): void {
  const ctx = JSON.stringify(r);
  assert.is(r.code, code, "exit code: " + ctx);
  assert.not.match(r.out + r.err, /\n\s+at /, "no stack trace: " + ctx);
  const lines = r.err.split("\n").filter((l) => l);
  assert.is(lines.length, 1, "one line: " + ctx);
  assert.match(lines[0], what, ctx);
  assert.is(r.out, "", "nothing on stdout: " + ctx);
}

/** The same CLI in this process (src/cli/run.ts), stdout and stderr captured: fast enough for a row per case. */
export async function cliHere(args: string[], o: { cwd?: string } = {}): Promise<Run> {
  const { runCli } = await import("../../src/cli/run.js");
  let out = "";
  let err = "";
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const log = console.log;
  const error = console.error;
  const cwd = process.cwd();
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof ow;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof ew;
  console.log = (...a: unknown[]) => void (out += a.join(" ") + "\n");
  console.error = (...a: unknown[]) => void (err += a.join(" ") + "\n");
  try {
    if (o.cwd) process.chdir(o.cwd);
    const code = await runCli(args);
    return { code: code, out: out, err: err };
  } finally {
    process.chdir(cwd);
    process.stdout.write = ow;
    process.stderr.write = ew;
    console.log = log;
    console.error = error;
  }
}
