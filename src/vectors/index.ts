import { bootVectors } from "./boot.js";
import { checksumVectors } from "./checksums.js";
import { headerVectors } from "./header.js";
import { recordVectors } from "./record.js";
import { sessionVectors } from "./session.js";
import { format } from "./util.js";
import { ncpVectors, thingsboardVectors } from "./wire.js";

/**
 * Every golden vector file, by name, as the exact text checked in under
 * vectors/ (docs/porting.md says which part of a port each one covers).
 * Deterministic: no clock, no unseeded randomness.
 */
export function generateVectors(): Record<string, string> {
  const files: Record<string, unknown> = {
    "checksums.json": checksumVectors(),
    "header.json": headerVectors(),
    "record.json": recordVectors(),
    "boot.json": bootVectors(),
    "session.json": sessionVectors(),
    "ncp.json": ncpVectors(),
    "thingsboard.json": thingsboardVectors(),
  };
  const out: Record<string, string> = {};
  for (const name of Object.keys(files)) out[name] = format(files[name]) + "\n";
  return out;
}
