import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDevice } from "../build.mjs";
import { espruinoBin, espruinoVersion, runScript } from "../src/e2e/interpreter.js";
import { CRC8_T8 } from "../src/platform/espruino/crc8-tables.js";
import { findValgrind } from "./instr.js";
import { spawnSync } from "node:child_process";

/*
 * npm run bench:micro — the pieces of the chunk path on Espruino's interpreter
 * (ESPRUINO_BIN), each in a fresh interpreter: CRC-8 of a 1040-byte frame by
 * the byte-table loop (short frames and refused writes only: frame.ts); the
 * frame decoder over 32-byte Strings; SHA-256 in JavaScript against the
 * built-in. Prints one line each, and `--json` one object. With valgrind,
 * also exact instruction counts of each built-in on 1 KB (instructionsPerKB).
 */

/** What one operation on 1 KB costs, in x86 instructions: (I(M) - I(N)) / (M - N) of a loop, minus the empty loop's. */
const OPS: [string, string][] = [
  ["E.CRC32(Uint8Array)", "x=E.CRC32(u);"],
  ["crypto.SHA256(Uint8Array)", "x=C.SHA256(u);"],
  ["E.toString(Uint8Array)", "x=E.toString(u);"],
  ["String.indexOf, not found", "x=s.indexOf(Z);"],
  ["Uint8Array.indexOf, not found", "x=u.indexOf(0xCC);"],
  ["Uint8Array.set(String)", "v.set(s,0);"],
  ["Flash.read", "x=F.read(1024,A);"],
  ["Flash.write", "F.write(u,A);"],
  ["CRC-8 byte-table loop, 8 bytes a statement", "x=L(u);"],
];
const SETUP = [
  "var C=require('crypto'),F=require('Flash'),A=require('Flash').getFree()[0].addr,x=0,k;",
  "var u=new Uint8Array(1024),v=new Uint8Array(1024);for(k=0;k<1024;k++)u[k]=32+(k*7)%90;",
  "var s=E.toString(u),Z=String.fromCharCode(0xCC);",
  "var T=E.toUint8Array(" + JSON.stringify(CRC8_T8) + ");",
  "function L(b){var c=0,i=0,e=b.length;for(var n=e-7;i<n;)c=T[T[T[T[T[T[T[T[c^b[i++]]^b[i++]]^b[i++]]^b[i++]]^b[i++]]^b[i++]]^b[i++]]^b[i++]];while(i<e)c=T[c^b[i++]];return c;}",
].join("\n");

function countLoop(valgrind: string, bin: string, dir: string, body: string, n: number): number {
  writeFileSync(join(dir, "i.js"), SETUP + "\nfor(var i=0;i<" + n + ";i++){" + body + "}\nquit();\n");
  const r = spawnSync(valgrind, ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", bin, "i.js"], { cwd: dir, input: "", encoding: "utf8", timeout: 120_000 });
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr || "");
  if (!m) throw new Error("no instruction count for " + body + ":\n" + r.stderr + r.stdout);
  return Number(m[1].replace(/,/g, ""));
}

function instructionsPerKB(bin: string): Record<string, number> | undefined {
  const valgrind = findValgrind();
  if (!valgrind) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "eota-micro-i-"));
  try {
    const per = (body: string) => (countLoop(valgrind, bin, dir, body, 30) - countLoop(valgrind, bin, dir, body, 10)) / 20;
    const empty = per("");
    const out: Record<string, number> = { "empty loop step": Math.round(empty) };
    for (const [name, body] of OPS) out[name] = Math.round(per(body) - empty);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
async function run(bin: string, entry: string, jsVars: number): Promise<Record<string, number | boolean>> {
  const dir = mkdtempSync(join(tmpdir(), "eota-micro-"));
  try {
    writeFileSync(join(dir, "m.js"), await buildDevice({ entry: entry, board: { jsVars: jsVars } }));
    const r = runScript(bin, dir, "m.js", 120_000);
    const line = r.out.split("\n").find((l) => l.startsWith("MICRO "));
    if (!line) throw new Error(entry + " printed no figures:\n" + r.out);
    return JSON.parse(line.slice(6));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { bin, why } = espruinoBin();
  if (!bin) {
    console.log("bench:micro skipped: " + why);
    return 0;
  }
  const r2 = (x: unknown) => Math.round((x as number) * 1000) / 1000;
  const loop = await run(bin, "bench/micro/crc8.ts", 0);
  const dec = await run(bin, "bench/micro/decode.ts", 0);
  const sha = await run(bin, "bench/micro/sha256.ts", 0);
  const out = {
    interpreter: espruinoVersion(bin),
    crc8MsPerFrame: { loop: r2(loop.msPerFrame), crc32: r2(loop.crc32MsPerFrame) },
    crc8Agrees: loop.same,
    decodeMsPerFrame: { jsText: r2(dec.textMsPerFrame), binary: r2(dec.binaryMsPerFrame), piecesOf32B: dec.pieces },
    sha256For24KB: { jsMs: r2(sha.jsMs), builtinMs: r2(sha.builtinMs), agrees: sha.same },
    instructionsPerKB: instructionsPerKB(bin),
  };
  if (process.argv.includes("--json")) console.log(JSON.stringify(out));
  else {
    console.log("interpreter: " + out.interpreter);
    console.log(`CRC-8 of a 1040-byte frame (ms): byte-table loop ${out.crc8MsPerFrame.loop}; E.CRC32 ${out.crc8MsPerFrame.crc32}; all agree: ${out.crc8Agrees}`);
    console.log(`frame decoder, 1 KB chunk in ${out.decodeMsPerFrame.piecesOf32B} Strings of 32 B (ms, no CRC): JS text ${out.decodeMsPerFrame.jsText}, random binary ${out.decodeMsPerFrame.binary}`);
    console.log(`SHA-256 of 24 KB (ms): JavaScript ${out.sha256For24KB.jsMs}, built-in ${out.sha256For24KB.builtinMs}; agree: ${out.sha256For24KB.agrees}`);
    if (out.instructionsPerKB) {
      console.log("x86 instructions on 1 KB (valgrind):");
      for (const [k, v] of Object.entries(out.instructionsPerKB)) console.log("  " + k.padEnd(50) + String(v).padStart(12));
    } else console.log("instruction counts skipped: valgrind is not installed");
  }
  return out.crc8Agrees && out.sha256For24KB.agrees ? 0 : 1;
}

main().then((c) => process.exit(c), (e) => {
  console.error(e);
  process.exit(1);
});
