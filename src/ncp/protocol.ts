/**
 * Blynk.NCP wire constants (shared/reference/blynk-ncp.md). Integers are
 * little-endian; a frame is BEG <escaped payload> <escaped CRC-8> END.
 */
export const BEG = 0xaa;
export const END = 0xbb;
export const ESC = 0xcc;
export const XON = 0x11;
export const XOFF = 0x13;
/** Raw payload bytes a receiver must accept (and a sender must not exceed). */
export const MAX_PAYLOAD = 1536;

export const OP_INVOKE = 0x67bc;
export const OP_RESULT = 0xa512;
export const OP_ONEWAY = 0x1cf3;

export const ST_OK = 0x00;
export const ST_ERROR = 0x10;
export const ST_TIMEOUT = 0x11;
export const ST_MEMORY = 0x12;
export const ST_NO_UID = 0x13;
export const ST_ARGS_WRITE = 0x14;
export const ST_ARGS_READ = 0x15;
export const ST_RETS_WRITE = 0x16;
export const ST_RETS_READ = 0x17;

// Calls the client makes (the NCP hosts them).
export const NCP_PING = 0x0101;
export const NCP_HAS_UID = 0x0103;
export const HW_SET_UART_BAUD = 0x0201;
export const BLYNK_INITIALIZE = 0x0301;
export const BLYNK_SET_FIRMWARE_INFO = 0x0304;
export const BLYNK_GET_NCP_VERSION = 0x0305;
export const BLYNK_GET_STATE = 0x0306;
export const BLYNK_OTA_START = 0x0341;
export const BLYNK_OTA_GET_CRC32 = 0x0342;
export const BLYNK_OTA_GET_MD5 = 0x0343;
export const BLYNK_OTA_GET_SHA256 = 0x0344;

// Calls the client answers.
export const MCU_PING = 0x0181;
export const MCU_REBOOT = 0x0182;
export const MCU_HAS_UID = 0x0183;
export const CLIENT_STATE_CHANGE = 0x0411;
export const CLIENT_VPIN_CHANGE = 0x0412;
export const CLIENT_PROCESS_EVENT = 0x0421;
export const CLIENT_OTA_AVAILABLE = 0x0441;
export const CLIENT_OTA_WRITE = 0x0442;
export const CLIENT_OTA_FINISH = 0x0443;
export const CLIENT_OTA_CANCEL = 0x0444;

/** Bytes a write frame adds to its chunk before escaping: opcode, uid, msgId, offset, length, crc32, CRC-8. */
export const WRITE_OVERHEAD = 16;
