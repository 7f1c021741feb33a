// Builds the device bundles (one boot stub and one client per board, minified,
// checked against Espruino's JavaScript subset) and the Node bundles for the CLI.
import * as esbuild from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { checkEspruino, UNSUPPORTED } from "./scripts/espruino-gate.mjs";

/**
 * ble.js takes the boot stub's BootRecord and parseHeader (global.OTA_LIB,
 * boot-main.ts) instead of its own copies, so the client fits a 12 KB slot.
 */
const stubShared = {
  name: "stub-shared",
  setup(b) {
    b.onResolve({ filter: /(record|header)\.js$/ }, (a) => {
      const m = /\/src\/core\/(record|header)\.js$/.exec(new URL(a.path, "file://" + a.resolveDir + "/").pathname);
      return m && !a.importer.includes("/shared/") ? { path: new URL("./src/platform/espruino/shared/" + m[1] + ".ts", import.meta.url).pathname } : undefined;
    });
  },
};

/**
 * One device bundle: esbuild lowers what it can, the gate refuses the rest.
 * @param {{ entry?: string, board?: object, footer?: string, stdin?: import("esbuild").StdinOptions, shared?: boolean }} o
 * @returns {Promise<string>}
 */
export async function buildDevice({ entry, board, footer, stdin, shared }) {
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
      __BOARD_MAPPED__: String(!!(board && board.memoryMapped)),
    },
    banner: { js: "(function(){" },
    footer: { js: "})();" + (footer || "") },
    external: ["Flash", "crypto", "Storage", "http", "MQTT", "net", "Wifi", "dgram"],
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, useDefineForClassFields: false } },
    logLevel: "silent",
    plugins: shared ? [stubShared] : [],
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

/**
 * The clients beside the boot stub, one a transport: the bundle's name in
 * dist/espruino/<board>/, its entry in src/platform/espruino/, and whether it
 * takes the stub's record and header code instead of its own (stubShared).
 * A new transport adds one line.
 * @type {[string, string, boolean][]}
 */
const CLIENTS = [
  ["client", "client-main.ts", false], // Blynk.NCP
  ["tb", "tb-main.ts", false], // ThingsBoard: MQTT, HTTP, CoAP
  ["ble", "ble-main.ts", true], // ESP BLE OTA
  ["zigbee", "zigbee-main.ts", false], // Zigbee OTA over an XBee 3
  ["drogue", "drogue-main.ts", false], // Drogue IoT DFU
];

// Footer of the boot stub: eval the chosen image at global scope, as .bootcde would be.
const BOOT_FOOTER = "eval((function(l){delete global.OTA_LOAD;return l?l():\"\";})(global.OTA_LOAD));";

async function main() {
  await esbuild.build({
    entryPoints: { cli: "src/cli/main.ts", host: "src/platform/host/index.ts" },
    outdir: "dist", outExtension: { ".js": ".mjs" }, bundle: true, platform: "node", format: "esm",
    target: "node20", packages: "external", sourcemap: true, logLevel: "warning",
    banner: { js: "#!/usr/bin/env node" },
  });
  // Boards come through the one schema (src/board/schema.ts), as built into dist/host.mjs.
  const host = await import("./dist/host.mjs?" + Date.now());
  const sizes = [];
  for (const key of host.boardKeys()) {
    const b = host.loadBoard(key);
    const board = host.deviceBoard(b);
    const dir = "dist/espruino/" + key;
    mkdirSync(dir, { recursive: true });
    const boot = await buildDevice({ entry: "src/platform/espruino/boot-main.ts", board, footer: BOOT_FOOTER });
    // The stub file is padded to this length so that .eota's data starts on a page (storage-plan.ts).
    const room = b.plan.files[1].length;
    if (boot.length > room) throw new Error(key + ": boot stub is " + boot.length + " bytes, its file has room for " + room + " (ota.stubPages)");
    writeFileSync(dir + "/boot.js", boot);
    const out = { boot: boot.length };
    for (const [name, entry, shared] of CLIENTS) {
      const code = await buildDevice({ entry: "src/platform/espruino/" + entry, board, shared });
      writeFileSync(dir + "/" + name + ".js", code);
      out[name] = code.length;
    }
    sizes.push([key, out]);
  }
  console.log("device bundles (bytes, minified; total = boot.js + client.js):");
  const names = ["boot", ...CLIENTS.map((c) => c[0])];
  console.log("  board       " + names.map((n) => (n + ".js").padStart(11)).join("") + "      total");
  for (const [k, o] of sizes) console.log("  " + k.padEnd(12) + names.map((n) => String(o[n]).padStart(11)).join("") + String(o.boot + o.client).padStart(11));
}

if (import.meta.url === "file://" + process.argv[1]) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
