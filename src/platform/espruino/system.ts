import type { System } from "../../hal/system.js";

/** The board itself: reset (on the Linux build this exits with status 1) and free JsVars. */
export const espruinoSystem: System = {
  reboot: () => E.reboot(),
  memoryFree: () => process.memory().free,
};
