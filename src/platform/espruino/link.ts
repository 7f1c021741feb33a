import type { Link } from "../../hal/link.js";

/**
 * Serial1 as a Link. Espruino hands received data over as a String cut at
 * arbitrary points; the frame decoder takes it as it is (String.indexOf,
 * Uint8Array.set from a String). `options` is Serial1.setup's ({rx, tx}, or
 * {path} on Linux).
 */
export function serialLink(baud: number, options: object): Link {
  Serial1.setup(baud, options);
  return {
    write: (bytes) => Serial1.write(bytes),
    onData: (h) => {
      Serial1.removeAllListeners("data");
      Serial1.on("data", h);
    },
    setBaud: (b) => Serial1.setup(b, options),
  };
}
