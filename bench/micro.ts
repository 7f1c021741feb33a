import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDevice } from "../build.mjs";
import { espruinoBin, espruinoVersion, runScript } from "../src/e2e/interpreter.js";

/*
 * npm run bench:micro — the pieces of the chunk path on Espruino's interpreter
 * (ESPRUINO_BIN), each in a fresh interpreter: CRC-8 of a 1040-byte frame by
 * the plain loop and by the mapInPlace chain with 2- and 4-bit steps; the
 * frame decoder over 32-byte Strings; SHA-256 in JavaScript against the
 * built-in. Prints one line each, and `--json` one object.
 */
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
  const loop = await run(bin, "bench/micro/crc8.ts", 2000);
  const k2 = await run(bin, "bench/micro/crc8.ts", 5000);
  const k4 = await run(bin, "bench/micro/crc8.ts", 0);
  const dec = await run(bin, "bench/micro/decode.ts", 0);
  const sha = await run(bin, "bench/micro/sha256.ts", 0);
  const out = {
    interpreter: espruinoVersion(bin),
    crc8MsPerFrame: { loop: r2(loop.msPerFrame), chain2: r2(k2.msPerFrame), chain4: r2(k4.msPerFrame), crc32: r2(k4.crc32MsPerFrame) },
    crc8Agrees: loop.same && k2.same && k4.same,
    decodeMsPerFrame: { jsText: r2(dec.textMsPerFrame), binary: r2(dec.binaryMsPerFrame), piecesOf32B: dec.pieces },
    sha256For24KB: { jsMs: r2(sha.jsMs), builtinMs: r2(sha.builtinMs), agrees: sha.same },
  };
  if (process.argv.includes("--json")) console.log(JSON.stringify(out));
  else {
    console.log("interpreter: " + out.interpreter);
    console.log(`CRC-8 of a 1040-byte frame (ms): loop ${out.crc8MsPerFrame.loop}, chain 2-bit ${out.crc8MsPerFrame.chain2}, chain 4-bit ${out.crc8MsPerFrame.chain4}; E.CRC32 ${out.crc8MsPerFrame.crc32}; all agree: ${out.crc8Agrees}`);
    console.log(`frame decoder, 1 KB chunk in ${out.decodeMsPerFrame.piecesOf32B} Strings of 32 B (ms, no CRC): JS text ${out.decodeMsPerFrame.jsText}, random binary ${out.decodeMsPerFrame.binary}`);
    console.log(`SHA-256 of 24 KB (ms): JavaScript ${out.sha256For24KB.jsMs}, built-in ${out.sha256For24KB.builtinMs}; agree: ${out.sha256For24KB.agrees}`);
  }
  return out.crc8Agrees && out.sha256For24KB.agrees ? 0 : 1;
}

main().then((c) => process.exit(c), (e) => {
  console.error(e);
  process.exit(1);
});
