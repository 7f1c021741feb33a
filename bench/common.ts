import { readFileSync } from "node:fs";
import { bundle } from "../src/testbench/espruino-vm.js";
import { rng } from "../src/testbench/rng.js";
import { buildImage, blynkTag } from "../src/testbench/image.js";
import { HEADER_SIZE } from "../src/core/header.js";

export const BAUD = 115200;
/** Bytes a second on an 8N1 line at BAUD. */
export const LINE_RATE = BAUD / 10;
export const TYPE = "TMPL0BENCH";
/** The update every figure is measured on: 128 KB, exactly slot 1 of the linux board. */
export const IMAGE_BYTES = 128 * 1024;

/** Goals (issue 11): at most, except nrf52LineRate115200 (at least). */
export const GOALS = {
  chunkInstructionsPerKB: 1_500_000, clientLoadInstructions: 10_000_000, jsVarsAfterStart: 600, jsVarsPeak: 300,
  jsVarsPerChunk: 0, bundleBytes: 8192, nrf52LineRate115200: 0.85,
};
/** The time-based goals of before, kept with their figures in `detail`. */
export const TIME_GOALS = { chunkPathRatio: 2, lineRate: 0.9 };

/** The board whose bundles `bundleBytes` counts: the smallest RAM and slot. */
export const BUNDLE_BOARD = "puckjs";

/** minified boot stub + client for BUNDLE_BOARD, as built. */
export function bundleBytes(board = BUNDLE_BOARD): number {
  return bundle(board, "client").length + bundle(board, "boot").length;
}

/**
 * A 128 KB image whose payload is text with a minified bundle's characters
 * (from a fixed seed), as a real application image is: few bytes need
 * escaping on the wire.
 */
export function bigImage(version: string): Uint8Array {
  const build = "bench";
  const room = IMAGE_BYTES - HEADER_SIZE - blynkTag({ type: TYPE, version: version, build: build }).length;
  // The same at every commit: built from the client bundle itself, each change to the client moved the
  // chunks' CRC-32s, so how many frame bytes need escaping, and the figures with them (by up to 5 %).
  const rand = rng(2026);
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789(){}[];,.=+-*/<>!&|?:\"' _$\n";
  let text = "";
  while (text.length < room) text += chars[Math.floor(rand() * chars.length)];
  const img = buildImage({ board: "LINUX", type: TYPE, version: version, build: build, payload: new TextEncoder().encode(text) });
  if (img.length !== IMAGE_BYTES) throw new Error("bench image is " + img.length + " bytes");
  return img;
}

/** bench/app.js: the device side of the interpreter run. */
export function deviceApp(): string {
  return readFileSync(new URL("./app.js", import.meta.url), "utf8");
}

/** An instruction-count application (bench/NAME.js) after the deterministic timers it uses (bench/instr-timers.js). */
export function instrApp(name: string): string {
  const read = (f: string) => readFileSync(new URL("./" + f, import.meta.url), "utf8");
  return read("instr-timers.js") + "\n" + read(name + ".js");
}
