import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Layout } from "../../core/layout.js";
import type { Geometry } from "./norflash.js";

/** A board file (boards/*.json), numbers decoded; docs/boards.md describes each field. */
export interface Board {
  key: string;
  id: string;
  name: string;
  geometry: Geometry;
  layout: Layout;
  sha256: boolean;
  memoryMapped: boolean;
  jsVars: number;
  chunkSize: number;
}

function findBoardsDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      readdirSync(join(d, "boards"));
      return join(d, "boards");
    } catch {
      d = dirname(d);
    }
  }
  throw new Error("boards/ not found");
}

export const BOARDS_DIR = findBoardsDir();

const num = (v: string | number): number => (typeof v === "number" ? v : Number(v));

export function loadBoard(key: string): Board {
  const j = JSON.parse(readFileSync(join(BOARDS_DIR, key + ".json"), "utf8"));
  const f = j.flash;
  return {
    key: key,
    id: j.id,
    name: j.name,
    geometry: {
      base: num(f.base), size: num(f.size), blockLength: f.blockLength, sectors: f.sectors,
      writeAlign: f.writeAlign, eraseValue: f.eraseValue,
    },
    layout: {
      board: j.id,
      slots: j.slots.map((s: { address: string; size: string }) => ({ address: num(s.address), size: num(s.size) })),
      banks: j.banks.map(num),
      maxTrials: j.maxTrials,
    },
    sha256: j.sha256,
    memoryMapped: j.memoryMapped,
    jsVars: j.jsVars,
    chunkSize: j.chunkSize,
  };
}

export function boardKeys(): string[] {
  return readdirSync(BOARDS_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}
