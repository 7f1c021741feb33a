// Device side of `npm run bench:micro` for CRC-8: one 1040-byte frame by the device's byte-table loop.
import { crc8 as crc8Loop } from "../../src/ncp/crc8.js";
import { loopCrc8 } from "../../src/platform/espruino/crc8.js";

declare const print: (s: string) => void;
declare const getTime: () => number;
declare const quit: () => void;

const f = loopCrc8();
const frame = new Uint8Array(1040);
for (let i = 0; i < frame.length; i++) frame[i] = (i * 97 + 13) & 255;
const runs = 30;
let t = getTime();
for (let i = 0; i < runs; i++) f(frame, 0, frame.length);
const chain = ((getTime() - t) / runs) * 1000;
t = getTime();
for (let i = 0; i < runs; i++) E.CRC32(frame);
const crc32 = ((getTime() - t) / runs) * 1000;
print("MICRO " + JSON.stringify({ msPerFrame: chain, crc32MsPerFrame: crc32, same: f(frame, 0, 1040) === crc8Loop(frame, 0, 1040) }));
quit();
