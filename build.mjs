// Builds the device bundles (one boot stub and one client per board, minified,
// checked against Espruino's JavaScript subset) and the Node bundles for the CLI.
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { checkEspruino, UNSUPPORTED } from "./scripts/espruino-gate.mjs";

const num = (v) => (typeof v === "number" ? v : Number(v));

/** The board constants baked into device code. */
export function deviceBoard(j) {
  const f = j.flash;
  const blockLength = f.blockLength || Math.min(...f.sectors);
  return {
    id: j.id, base: num(f.base), size: num(f.size), blockLength: blockLength, writeAlign: f.writeAlign,
    eraseValue: f.eraseValue, slots: j.slots.map((s) => ({ address: num(s.address), size: num(s.size) })),
    banks: j.banks.map(num), maxTrials: j.maxTrials, sha256: j.sha256, memoryMapped: j.memoryMapped,
    chunkSize: j.chunkSize, jsVars: j.jsVars, trialTimeout: j.trialTimeout || 120,
  };
}

/**
 * Bits per step of the device's CRC-8 chain, by RAM: K = 4 needs an 8 KB
 * table, K = 2 a 2 KB one; boards of about 2600 JsVars keep the plain loop.
 */
export function crc8Step(board) {
  const vars = board && board.jsVars !== undefined ? board.jsVars : 0;
  return vars === 0 || vars >= 8000 ? 4 : vars >= 4000 ? 2 : 0;
}

/**
 * One device bundle: esbuild lowers what it can, the gate refuses the rest.
 * @param {{ entry?: string, board?: object, footer?: string, stdin?: import("esbuild").StdinOptions }} o
 * @returns {Promise<string>}
 */
export async function buildDevice({ entry, board, footer, stdin }) {
  const r = await esbuild.build({
    entryPoints: entry ? [entry] : undefined,
    stdin: stdin,
    bundle: true,
    write: false,
    // cjs keeps require("Flash") as is (iife would add a Proxy shim); the
    // banner/footer make it a function scope so no minified name leaks.
    format: "cjs",
    platform: "neutral",
    target: "es2017",
    supported: UNSUPPORTED,
    minify: true,
    mangleProps: /_$/,
    legalComments: "none",
    define: {
      __BOARD__: JSON.stringify(board || {}),
      __BOARD_SHA256__: String(!board || board.sha256 !== false),
      __CRC8_K__: String(crc8Step(board)),
    },
    banner: { js: "(function(){" },
    footer: { js: "})();" + (footer || "") },
    external: ["Flash", "crypto", "Storage", "http", "MQTT", "net", "Wifi"],
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, useDefineForClassFields: false } },
    logLevel: "silent",
  });
  const code = r.outputFiles[0].text;
  const problems = checkEspruino(code);
  if (problems.length) {
    const e = new Error("not in Espruino's JavaScript subset:\n  " + problems.join("\n  "));
    e.problems = problems;
    throw e;
  }
  return code;
}

// Footer of the boot stub: eval the chosen image at global scope, as .bootcde would be.
const BOOT_FOOTER = "eval((function(l){delete global.OTA_LOAD;return l?l():\"\";})(global.OTA_LOAD));";

async function main() {
  const sizes = [];
  for (const file of readdirSync("boards").filter((f) => f.endsWith(".json")).sort()) {
    const key = file.slice(0, -5);
    const board = deviceBoard(JSON.parse(readFileSync("boards/" + file, "utf8")));
    const dir = "dist/espruino/" + key;
    mkdirSync(dir, { recursive: true });
    const boot = await buildDevice({ entry: "src/platform/espruino/boot-main.ts", board, footer: BOOT_FOOTER });
    const client = await buildDevice({ entry: "src/platform/espruino/client-main.ts", board });
    writeFileSync(dir + "/boot.js", boot);
    writeFileSync(dir + "/client.js", client);
    writeFileSync(dir + "/tb.js", await buildDevice({ entry: "src/platform/espruino/tb-main.ts", board }));
    sizes.push([key, boot.length, client.length]);
  }
  await esbuild.build({
    entryPoints: { cli: "src/cli/main.ts", host: "src/platform/host/index.ts" },
    outdir: "dist", outExtension: { ".js": ".mjs" }, bundle: true, platform: "node", format: "esm",
    target: "node20", packages: "external", sourcemap: true, logLevel: "warning",
    banner: { js: "#!/usr/bin/env node" },
  });
  console.log("device bundles (bytes, minified):");
  console.log("  board          boot.js  client.js  total");
  for (const [k, b, c] of sizes) console.log("  " + k.padEnd(14) + String(b).padStart(7) + String(c).padStart(11) + String(b + c).padStart(7));
}

if (import.meta.url === "file://" + process.argv[1]) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
