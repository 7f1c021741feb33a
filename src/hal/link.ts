/** A byte stream to a peer (UART to the NCP, a pty, an in-process pipe). */
export interface Link {
  write(bytes: Uint8Array): void;
  /** Data arrives split at arbitrary points. One handler; a new call replaces it. */
  onData(handler: (bytes: Uint8Array) => void): void;
  /** Change the line rate; links without a rate ignore it. */
  setBaud(baud: number): void;
}
