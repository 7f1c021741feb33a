/*
 * The fw_* shared attributes ThingsBoard writes when a package is assigned,
 * and what they ask of this device. fw_title is compared with the running
 * image's firmware type and fw_version with its version (both from the image
 * header), so a ThingsBoard package title must be the image's type.
 */

export const FW_KEYS = "fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm";
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
 * Folds an attributes message into what is known. An answer to the request
 * is the whole state (keys it lacks are gone); an update carries changed
 * keys, or `{"deleted": [...]}` when the package is unassigned.
 */
export function mergeAttributes(known: Known, values: Known, update: boolean): void {
  if (!update) for (let i = 0; i < NAMES.length; i++) delete known[NAMES[i]];
  const del = values.deleted;
  if (Array.isArray(del)) for (let i = 0; i < del.length; i++) delete known[String(del[i])];
  for (let i = 0; i < NAMES.length; i++) {
    const k = NAMES[i];
    if (values[k] !== undefined) known[k] = values[k];
  }
}

/** The assigned package, or undefined when none is (no title or version). */
export function targetOf(known: Known): FwTarget | undefined {
  if (known.fw_title === undefined || known.fw_version === undefined) return undefined;
  const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  return {
    title: str(known.fw_title),
    version: str(known.fw_version),
    size: Number(known.fw_size),
    checksum: str(known.fw_checksum).toLowerCase(),
    algorithm: str(known.fw_checksum_algorithm).toUpperCase(),
    url: str(known.fw_url),
  };
}

export function sameTarget(a: FwTarget | undefined, b: FwTarget | undefined): boolean {
  return !!a && !!b && a.title === b.title && a.version === b.version && a.size === b.size &&
    a.checksum === b.checksum && a.algorithm === b.algorithm;
}
