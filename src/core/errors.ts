/**
 * The closed set of result codes. 0 is success; every refusal has one code,
 * so a C port and a log reader see the same number. README "Error codes"
 * mirrors this table.
 */
export const OK = 0;
// offer
export const E_BUSY = 1;
export const E_TRIAL_ACTIVE = 2;
export const E_SIZE = 3;
export const E_TOO_LARGE = 4;
export const E_WRONG_TYPE = 5;
export const E_SAME_VERSION = 6;
// session order
export const E_STATE = 7;
// chunks
export const E_CHUNK_CRC = 8;
export const E_OFFSET = 9;
export const E_CHUNK_SIZE = 10;
export const E_OVERFLOW = 11;
// header, checked as soon as its bytes arrive
export const E_MAGIC = 12;
export const E_HEADER_CRC = 13;
export const E_FORMAT = 14;
export const E_WRONG_BOARD = 15;
export const E_HEADER_MISMATCH = 16;
// flash
export const E_WRITE_VERIFY = 17;
export const E_FLASH = 18;
// finish
export const E_INCOMPLETE = 19;
export const E_DIGEST = 20;
export const E_PAYLOAD_DIGEST = 21;
export const E_NO_DIGEST = 22;
export const E_RECORD = 23;
// ended from outside
export const E_STALLED = 24;
export const E_CANCELLED = 25;
export const E_LAYOUT = 26;

/** Names in code order, for logs and the CLI. */
export const ERROR_NAMES = [
  "OK", "BUSY", "TRIAL_ACTIVE", "SIZE", "TOO_LARGE", "WRONG_TYPE", "SAME_VERSION",
  "STATE", "CHUNK_CRC", "OFFSET", "CHUNK_SIZE", "OVERFLOW", "MAGIC", "HEADER_CRC",
  "FORMAT", "WRONG_BOARD", "HEADER_MISMATCH", "WRITE_VERIFY", "FLASH", "INCOMPLETE",
  "DIGEST", "PAYLOAD_DIGEST", "NO_DIGEST", "RECORD", "STALLED", "CANCELLED", "LAYOUT",
];

export function errorName(code: number): string {
  return ERROR_NAMES[code] || "E" + code;
}
