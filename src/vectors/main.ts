import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateVectors } from "./index.js";

// npx tsx src/vectors/main.ts: rewrites vectors/*.json from the TypeScript implementation.
const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "vectors");
mkdirSync(dir, { recursive: true });
const files = generateVectors();
for (const name of Object.keys(files)) {
  writeFileSync(join(dir, name), files[name]);
  console.log("vectors/" + name + ": " + files[name].length + " bytes");
}
