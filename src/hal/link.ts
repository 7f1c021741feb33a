/** A byte stream to a peer (UART to the NCP, a pty, an in-process pipe). */
export interface Link {
  write(bytes: Uint8Array): void;
  /**
   * Data arrives split at arbitrary points: bytes on the host, a String on
   * Espruino (Serial1's own type: converting it would cost a copy per piece).
   * One handler; a new call replaces it.
   */
  onData(handler: (data: Uint8Array | string) => void): void;
  /** Change the line rate; links without a rate ignore it. */
  setBaud(baud: number): void;
}
