/*
 * The fw_* shared attributes ThingsBoard writes when a package is assigned,
 * and what they ask of this device. fw_title is compared with the running
 * image's firmware type and fw_version with its version (both from the image
 * header), so a ThingsBoard package title must be the image's type.
 */

/** The keys asked for on connect: fw_url too, or a URL package assigned while offline would look like a device-API one. */
export const FW_KEYS = "fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm,fw_url";
const NAMES = ["fw_title", "fw_version", "fw_size", "fw_checksum", "fw_checksum_algorithm", "fw_url", "fw_tag"];

export interface FwTarget {
  title: string;
  version: string;
  size: number;
  checksum: string;
  algorithm: string;
  /** Set for packages stored at a URL: the device API cannot serve those. */
  url: string;
}

export interface Known {
  [key: string]: unknown;
}

/**
 * Folds an attributes message into what is known, and says whether it can
 * decide anything. An answer to the request is the whole state (keys it
 * lacks are gone). Pushes carry every shared attribute that changed, fw_* or
 * not. ThingsBoard assigns a package with two pushes in no fixed order: all
 * of its values (fw_title and fw_version always among them, so a push with
 * both is the whole fw_* set), and `{"deleted": [...]}` for the keys it lacks
 * (fw_url, or fw_tag for a URL package); unassigning deletes all nine fw_*
 * keys. A deletion that leaves fw_title and fw_version is half of an
 * assignment: false (wait for the values), or an old package with a key
 * missing would look like a new one.
 */
export function mergeAttributes(known: Known, values: Known, update: boolean): boolean {
  if (!update || (values.fw_title !== undefined && values.fw_version !== undefined)) for (let i = 0; i < NAMES.length; i++) delete known[NAMES[i]];
  const del = values.deleted;
  let decides = true;
  if (Array.isArray(del)) {
    let fw = false;
    for (let i = 0; i < del.length; i++) {
      const k = String(del[i]);
      if (k.indexOf("fw_") === 0) fw = true;
      delete known[k];
    }
    decides = !fw || known.fw_title === undefined || known.fw_version === undefined;
  }
  for (let i = 0; i < NAMES.length; i++) {
    const k = NAMES[i];
    if (values[k] !== undefined) known[k] = values[k];
  }
  return decides;
}

/** The assigned package, or undefined when none is (no title or version). */
export function targetOf(known: Known): FwTarget | undefined {
  if (known.fw_title === undefined || known.fw_version === undefined) return undefined;
  const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  return {
    title: str(known.fw_title),
    version: str(known.fw_version),
    size: Number(known.fw_size) || 0,
    checksum: str(known.fw_checksum).toLowerCase(),
    algorithm: str(known.fw_checksum_algorithm).toUpperCase(),
    url: str(known.fw_url),
  };
}

export function sameTarget(a: FwTarget | undefined, b: FwTarget | undefined): boolean {
  return !!a && !!b && a.title === b.title && a.version === b.version && a.size === b.size &&
    a.checksum === b.checksum && a.algorithm === b.algorithm && (a.url || "") === (b.url || "");
}
