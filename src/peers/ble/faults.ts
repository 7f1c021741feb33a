/** Faults the BLE client plays (ble-sim --faults): per packet probabilities, and one-off events by packet count. */
export interface BleFaults {
  /** A packet never reaches the board. */
  lost: number;
  /** A packet is written twice. */
  doubled: number;
  /** One bit of a packet flipped (sector, seq, data or CRC). */
  corrupt: number;
  /** A packet names the next sector. */
  wrong: number;
  /** The central disconnects after this many packets (0 = never), reconnects and starts again. */
  disconnect: number;
  /** The board is reset after this many packets (0 = never). */
  reset: number;
  seed: number;
}

export const NO_FAULTS: BleFaults = { lost: 0, doubled: 0, corrupt: 0, wrong: 0, disconnect: 0, reset: 0, seed: 1 };

const PROB = ["lost", "doubled", "corrupt", "wrong"];
const COUNT = ["disconnect", "reset", "seed"];

/** "lost=0.01,corrupt=0.02,disconnect=300,seed=4"; throws naming what is wrong. */
export function parseBleFaults(s: string): BleFaults {
  const f: BleFaults = { ...NO_FAULTS };
  for (const part of s.split(",").filter((x) => x)) {
    const [k, v] = part.split("=");
    const n = Number(v);
    if (PROB.includes(k)) {
      if (!(v !== undefined && v !== "" && n >= 0 && n <= 1)) throw new Error(k + "=" + v + ": a probability from 0 to 1");
    } else if (COUNT.includes(k)) {
      if (!(v !== undefined && /^\d+$/.test(v))) throw new Error(k + "=" + v + ": a whole number");
    } else throw new Error("unknown fault " + JSON.stringify(k));
    (f as unknown as Record<string, number>)[k] = n;
  }
  return f;
}

export function formatBleFaults(f: BleFaults): string {
  return [...PROB, ...COUNT].filter((k) => (f as unknown as Record<string, number>)[k] && !(k === "seed" && f.seed === 1))
    .map((k) => k + "=" + (f as unknown as Record<string, number>)[k]).join(",") || "none";
}
