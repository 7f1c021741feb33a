// Device side of `npm run bench:micro` for the frame decoder: a 1 KB write frame fed as
// 32-byte Strings, as the Linux build's serial thread delivers them; CRC-8 left out.
import { crc8 } from "../../src/ncp/crc8.js";
import { FrameDecoder, encodeFrame, frameBound, setFrameText } from "../../src/ncp/frame.js";
import { Writer } from "../../src/ncp/wire.js";

declare const print: (s: string) => void;
declare const getTime: () => number;
declare const quit: () => void;

function frameOf(data: Uint8Array): string[] {
  const w = new Writer(1100).u16(0x67bc).u16(0x0442).u16(5).u32(0).bin(data).u32(E.CRC32(data));
  const out = new Uint8Array(frameBound(w.p));
  const n = encodeFrame(w.b, w.p, out, crc8);
  const pieces: string[] = [];
  for (let o = 0; o < n; o += 32) pieces.push(E.toString(out.subarray(o, Math.min(n, o + 32))));
  return pieces;
}

const text = new Uint8Array(1024);
const binary = new Uint8Array(1024);
for (let i = 0; i < 1024; i++) {
  text[i] = 32 + ((i * 7) % 90);
  binary[i] = (i * 97 + 13) & 255;
}
// As the client sets it (client-main.ts): whole-frame scans over a String.
setFrameText((b) => E.toString(b));
let frames = 0;
const dec = new FrameDecoder({ crc8: (b, s, e) => b[e], onFrame: () => frames++ });
const time = (pieces: string[]) => {
  const t = getTime();
  for (let r = 0; r < 20; r++) for (const p of pieces) dec.feed(p);
  return ((getTime() - t) / 20) * 1000;
};
const tp = frameOf(text);
const bp = frameOf(binary);
print("MICRO " + JSON.stringify({ pieces: tp.length, textMsPerFrame: time(tp), binaryMsPerFrame: time(bp), binaryPieces: bp.length, frames: frames }));
quit();
