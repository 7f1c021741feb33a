/*
 * espruino-ota boot path in C99: checksums, image header, boot record,
 * boot decision, Blynk.NCP framing. No heap, no libc beyond <string.h>.
 * The TypeScript in src/core and src/boot is the reference; vectors/ is the
 * contract (docs/porting.md).
 */
#ifndef EOTA_H
#define EOTA_H

#include <stddef.h>
#include <stdint.h>

/* Result codes (README "Error codes", src/core/errors.ts). */
#define EOTA_OK 0
#define EOTA_E_BUSY 1
#define EOTA_E_TRIAL_ACTIVE 2
#define EOTA_E_SIZE 3
#define EOTA_E_TOO_LARGE 4
#define EOTA_E_WRONG_TYPE 5
#define EOTA_E_SAME_VERSION 6
#define EOTA_E_STATE 7
#define EOTA_E_CHUNK_CRC 8
#define EOTA_E_OFFSET 9
#define EOTA_E_CHUNK_SIZE 10
#define EOTA_E_OVERFLOW 11
#define EOTA_E_MAGIC 12
#define EOTA_E_HEADER_CRC 13
#define EOTA_E_FORMAT 14
#define EOTA_E_WRONG_BOARD 15
#define EOTA_E_HEADER_MISMATCH 16
#define EOTA_E_WRITE_VERIFY 17
#define EOTA_E_FLASH 18
#define EOTA_E_INCOMPLETE 19
#define EOTA_E_DIGEST 20
#define EOTA_E_PAYLOAD_DIGEST 21
#define EOTA_E_NO_DIGEST 22
#define EOTA_E_RECORD 23
#define EOTA_E_STALLED 24
#define EOTA_E_CANCELLED 25
#define EOTA_E_LAYOUT 26

/* ---- checksums ---- */
uint8_t eota_crc8(const uint8_t *p, size_t n);            /* poly 0x07, init 0 (Blynk.NCP) */
uint16_t eota_crc16(const uint8_t *p, size_t n);          /* CRC-16/CCITT-FALSE */
uint32_t eota_crc32(uint32_t crc, const uint8_t *p, size_t n); /* zlib: start with 0, chain the result */

typedef struct {
  uint32_t h[8];
  uint64_t bytes;
  uint8_t block[64];
  size_t fill;
} eota_sha256;
void eota_sha256_init(eota_sha256 *s);
void eota_sha256_update(eota_sha256 *s, const uint8_t *p, size_t n);
void eota_sha256_final(eota_sha256 *s, uint8_t out[32]);

/* ---- the HAL: flash in the ECMA-419 shape, byte addresses; 0 = done, anything else = refused ---- */
typedef struct {
  void *ctx;
  uint32_t write_align; /* a write's address and length are multiples of this */
  uint8_t erase_value;  /* 0xFF on NOR, 0x00 on a few parts */
  int (*read)(void *ctx, uint32_t address, uint8_t *buf, uint32_t length);
  int (*write)(void *ctx, uint32_t address, const uint8_t *buf, uint32_t length);
  int (*erase_block)(void *ctx, uint32_t start, uint32_t end);                /* [start, end) whole blocks */
  int (*block)(void *ctx, uint32_t address, uint32_t *start, uint32_t *length); /* the erase block holding address */
} eota_flash;

/* ---- image header (128 bytes) ---- */
#define EOTA_HEADER_SIZE 128
typedef struct {
  uint32_t payload_length;
  uint32_t image_length;
  uint8_t sha256[32];
  char board[13], type[33], version[13], build[21]; /* NUL-terminated */
} eota_image_info;

int eota_header_parse(const uint8_t *b, size_t n, eota_image_info *out);
/* Header, board, size, payload (SHA-256; or a CRC-32 equal to *payload_crc when given). -1: flash read refused. */
/* CRC-32 and SHA-256 of a flash range read in small pieces: 0, or -1 when a read is refused. */
int eota_crc32_flash(const eota_flash *f, uint32_t address, uint32_t length, uint32_t *crc);
int eota_sha256_flash(const eota_flash *f, uint32_t address, uint32_t length, uint8_t out[32]);
int eota_verify_slot(const eota_flash *f, uint32_t address, uint32_t size, const char *board,
                     const uint32_t *payload_crc, eota_image_info *out);

/* ---- boot record (format 2) ---- */
#define EOTA_NO_SLOT 255
#define EOTA_MAX_TRIALS 16
#define EOTA_MAX_UNIT 64 /* largest unit U = max(4, write_align) supported */
#define EOTA_FLAG_ROLLED_BACK 1
#define EOTA_FLAG_FALLBACK 2
#define EOTA_FLAG_CRC0 4

typedef struct {
  int valid, bank;
  uint32_t seq;
  uint8_t confirmed, pending, max_trials, flags, trials_used;
  int pending_confirmed, confirm_torn;
  uint32_t crc[2];
} eota_boot_state;

typedef struct {
  uint8_t confirmed, pending, max_trials, flags; /* flags: bits 0-1 only */
  int crc_slot;                                  /* -1: none; else the slot whose payload CRC-32 this record sets */
  uint32_t crc;
} eota_record_fields;

typedef struct {
  const eota_flash *flash;
  uint32_t banks[2];
  uint32_t unit;
} eota_record;

void eota_record_init(eota_record *r, const eota_flash *f, uint32_t bank0, uint32_t bank1);
/* The newest valid bank, or valid = 0. -1: a read was refused. */
int eota_record_read(const eota_record *r, eota_boot_state *out);
/* Erase the other bank, write, read back. 0 done, -1 failed (nothing to rely on). */
int eota_record_write(const eota_record *r, const eota_boot_state *prev, const eota_record_fields *f, eota_boot_state *out);
/* 1 counted, 0 could not (refused, no erased unit, no read-back), -1 a read was refused. */
int eota_record_count_trial(const eota_record *r, const eota_boot_state *s, eota_boot_state *out);
/* 0 confirmed (unit or new record), -1 failed. */
int eota_record_confirm(const eota_record *r, const eota_boot_state *s, eota_boot_state *out);
int eota_confirmed_slot(const eota_boot_state *s);
int eota_on_trial(const eota_boot_state *s);

/* ---- boot decision ---- */
#define EOTA_BOOT_CONFIRMED 0
#define EOTA_BOOT_TRIAL 1
#define EOTA_BOOT_ROLLBACK 2
#define EOTA_BOOT_SCAN 3
#define EOTA_BOOT_NONE 4
#define EOTA_BOOT_FALLBACK 5

typedef struct {
  const char *board;
  uint32_t slot_address[2], slot_size[2];
  uint32_t banks[2];
  uint8_t max_trials;
} eota_layout;

typedef struct {
  int slot; /* -1: nothing to start */
  int reason;
  eota_image_info info;
  eota_boot_state state;
} eota_boot_choice;

void eota_decide_boot(const eota_flash *f, const eota_layout *l, int crc_at_boot, int power_on, eota_boot_choice *out);

/* ---- update session (src/core/session.ts): offer, start, write..., finish; the staging slot and the record only ---- */
#define EOTA_IDLE 0
#define EOTA_OFFERED 1
#define EOTA_RECEIVING 2
#define EOTA_STAGED 3

typedef struct {
  /* set by the caller before eota_session_init */
  const eota_flash *flash;
  const eota_layout *layout;
  const char *fw_type, *fw_version; /* the running image's (what the boot stub started) */
  int running;                      /* slot the stub started, -1 unknown */
  uint32_t chunk_max;
  uint8_t *buf;      /* chunk_max + 2 * write_align bytes: chunks that do not end on the alignment */
  uint32_t stall_ms; /* 0: 60000 */
  /* state */
  int state, last_error, slot, have_header, have_boot;
  uint32_t received, size, carry, last_len, last_crc, touched;
  int64_t last_off;
  eota_image_info header;
  eota_boot_state boot;
  eota_record rec;
  uint32_t offer_size;
  char offer_type[34], offer_version[14]; /* one more than a header field: a longer offer never matches */
  uint8_t hdr[EOTA_HEADER_SIZE];
} eota_session;

void eota_session_init(eota_session *s);
int eota_session_offer(eota_session *s, uint32_t size, const char *type, const char *version, uint32_t now);
int eota_session_start(eota_session *s, uint32_t now);
int eota_session_write(eota_session *s, uint32_t offset, const uint8_t *data, uint32_t len, uint32_t crc, uint32_t now);
/* file_sha256: the server's digest of the whole file, or NULL. */
int eota_session_finish(eota_session *s, const uint8_t *file_sha256);
int eota_session_cancel(eota_session *s);
int eota_session_tick(eota_session *s, uint32_t now);

/* ---- Blynk.NCP framing ---- */
#define EOTA_NCP_MAX_PAYLOAD 1536
/* Frame of payload[0..n) into out (room for 2 * (n + 1) + 2 bytes); returns its length. */
size_t eota_ncp_encode(const uint8_t *payload, size_t n, uint8_t *out);
typedef struct {
  uint8_t *buf; /* room for EOTA_NCP_MAX_PAYLOAD + 1 bytes */
  size_t len;
  int in, esc, bad;
} eota_ncp_decoder;
/* Takes one byte; returns the payload length when it completes a good frame (payload in buf), else 0. */
size_t eota_ncp_feed(eota_ncp_decoder *d, uint8_t byte);

#endif
