/** What the board does outside the update itself. */
export interface System {
  /** Restart the board; on the host this ends the emulated power-on. */
  reboot(): void;
  /** Free memory in the units the platform counts (JsVars on Espruino). */
  memoryFree(): number;
}
