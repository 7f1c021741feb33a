import type { Store } from "./store.js";

/*
 * A transport's progress/resume record: one JSON object in its Store (what
 * is downloading and the session checkpoint, what was staged, what failed).
 * Each transport keeps its own keys; loading and saving are shared.
 * Losing the record is safe: a download starts from zero.
 */

/** The record, or undefined when there is none or it is not a JSON object (the caller checks its keys). */
export function loadRecord<T>(store: Store): T | undefined {
  try {
    const t = store.load();
    if (!t) return undefined;
    const p = JSON.parse(t);
    return p && typeof p === "object" ? p : undefined;
  } catch (e) {
    return undefined;
  }
}

/** Saves p (undefined: erases); what the store throws goes to the caller. */
export function saveRecord(store: Store, p: unknown): void {
  store.save(p ? JSON.stringify(p) : undefined);
}
