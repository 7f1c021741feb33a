import type { Store } from "../transport/store.js";

/**
 * What survives a reset, one small JSON record (the journal pages in .eota
 * on the board):
 *   {"v": version, "s": size, "b": bytes, "k": key}  a download: the first b bytes of the image (s bytes) are in flash; k chains
 *                                                    the CRC-32s of its 4 KB segments (client.ts key_), so a checkpoint reads only what is new
 *   {"st": version}                                  Swap accepted: that version is pending; the next power-on should run it
 *   {"f": version}                                   that version was staged but never confirmed (rolled back): not taken again
 */
export interface Progress {
  v?: string;
  s?: number;
  b?: number;
  k?: number;
  st?: string;
  f?: string;
}

/**
 * Saves p (undefined: clears); a store that refuses loses only the ability
 * to resume. Not through transport's saveRecord (which lets the error
 * through, as ThingsBoard's client expects): wrapping it costs 25 bundle bytes.
 */
export function saveProgress(store: Store, p: Progress | undefined): void {
  try {
    store.save(p ? JSON.stringify(p) : undefined);
  } catch (e) {
    // nothing to do: the download goes on, a reset starts it over
  }
}
