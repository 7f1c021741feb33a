/** One small text record that survives a reset (a Storage file on the board): every transport's progress goes in one. */
export interface Store {
  load(): string | undefined;
  /** undefined erases the record. */
  save(text: string | undefined): void;
}
