import { loadRecord, saveRecord } from "../transport/record.js";
import type { Store } from "../transport/store.js";
import type { FwTarget } from "./attributes.js";

/**
 * The one record the client keeps across resets, as JSON in the store:
 * | `kind` | meaning |
 * | --- | --- |
 * | "dl" | downloading `target`; `bytes` bytes are in the staging slot with CRC-32 `crc` (a session checkpoint) |
 * | "up" | `target` was verified and marked pending; after the reboot: UPDATED once it confirms, else FAILED |
 * | "rb" | `target` was rolled back: not fetched again until the assignment changes |
 * Losing it is safe: the download starts from zero, or UPDATED is not reported.
 * (Keys are words: the minifier would print `{t:t}` as `{t}`, which Espruino cannot parse.)
 */
export interface Progress {
  kind: string;
  target: FwTarget;
  bytes?: number;
  crc?: number;
}

export function loadProgress(store: Store): Progress | undefined {
  const p = loadRecord<Progress>(store);
  return p && typeof p.kind === "string" && p.target && typeof p.target.version === "string" ? p : undefined;
}

export const saveProgress: (store: Store, p: Progress | undefined) => void = saveRecord;
