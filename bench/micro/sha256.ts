// Device side of `npm run bench:micro` for the JS SHA-256 (boards without crypto.SHA256) against the built-in.
import { sha256Pieces } from "../../src/platform/espruino/sha256.js";

declare const print: (s: string) => void;
declare const getTime: () => number;
declare const quit: () => void;

const d = new Uint8Array(24576);
for (let i = 0; i < d.length; i++) d[i] = i & 255;
let t = getTime();
const js = sha256Pieces(d.length, (n, o) => d.subarray(o, o + n));
const jsMs = (getTime() - t) * 1000;
t = getTime();
const hw = new Uint8Array(require("crypto").SHA256(d));
const builtinMs = (getTime() - t) * 1000;
let same = true;
for (let i = 0; i < 32; i++) if (js[i] !== hw[i]) same = false;
print("MICRO " + JSON.stringify({ bytes: d.length, jsMs: jsMs, builtinMs: builtinMs, same: same }));
quit();
