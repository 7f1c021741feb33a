/* Image header parse (src/core/header.ts) and the slot check the boot stub runs (src/boot/verify.ts). */
#include <string.h>
#include "eota.h"

static uint32_t u32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void text(char *out, const uint8_t *b, size_t size) {
  size_t i;
  for (i = 0; i < size && b[i]; i++) out[i] = (char)b[i];
  out[i] = 0;
}

int eota_header_parse(const uint8_t *b, size_t n, eota_image_info *out) {
  uint32_t payload, image;
  if (n < EOTA_HEADER_SIZE || u32(b) != 0x41544F45u) return EOTA_E_MAGIC;
  if (eota_crc32(0, b, 124) != u32(b + 124)) return EOTA_E_HEADER_CRC;
  payload = u32(b + 8);
  image = u32(b + 12);
  /* image < 128 + payload, without wrapping past 2^32 */
  if ((b[4] | b[5] << 8) != 1 || (b[6] | b[7] << 8) != EOTA_HEADER_SIZE || image < EOTA_HEADER_SIZE ||
      image - EOTA_HEADER_SIZE < payload) return EOTA_E_FORMAT;
  out->payload_length = payload;
  out->image_length = image;
  memcpy(out->sha256, b + 16, 32);
  text(out->board, b + 48, 12);
  text(out->type, b + 60, 32);
  text(out->version, b + 92, 12);
  text(out->build, b + 104, 20);
  return EOTA_OK;
}

/* CRC-32 and SHA-256 of a flash range, read in pieces (no heap, a small buffer on the stack). */
int eota_crc32_flash(const eota_flash *f, uint32_t address, uint32_t length, uint32_t *crc) {
  uint8_t b[64];
  uint32_t c = 0;
  while (length) {
    uint32_t k = length < sizeof b ? length : (uint32_t)sizeof b;
    if (f->read(f->ctx, address, b, k)) return -1;
    c = eota_crc32(c, b, k);
    address += k;
    length -= k;
  }
  *crc = c;
  return 0;
}

int eota_sha256_flash(const eota_flash *f, uint32_t address, uint32_t length, uint8_t out[32]) {
  uint8_t b[64];
  eota_sha256 sha;
  eota_sha256_init(&sha);
  while (length) {
    uint32_t k = length < sizeof b ? length : (uint32_t)sizeof b;
    if (f->read(f->ctx, address, b, k)) return -1;
    eota_sha256_update(&sha, b, k);
    address += k;
    length -= k;
  }
  eota_sha256_final(&sha, out);
  return 0;
}

int eota_verify_slot(const eota_flash *f, uint32_t address, uint32_t size, const char *board,
                     const uint32_t *payload_crc, eota_image_info *out) {
  uint8_t buf[EOTA_HEADER_SIZE];
  uint8_t digest[32];
  uint32_t c;
  int r;
  if (f->read(f->ctx, address, buf, EOTA_HEADER_SIZE)) return -1;
  r = eota_header_parse(buf, EOTA_HEADER_SIZE, out);
  if (r != EOTA_OK) return r;
  if (strcmp(out->board, board) != 0) return EOTA_E_WRONG_BOARD;
  if (out->image_length > size) return EOTA_E_TOO_LARGE;
  /* The fast path; on a mismatch the SHA-256 decides, so a wrong CRC never makes a good image unbootable. */
  if (payload_crc) {
    if (eota_crc32_flash(f, address + EOTA_HEADER_SIZE, out->payload_length, &c)) return -1;
    if (c == *payload_crc) return EOTA_OK;
  }
  if (eota_sha256_flash(f, address + EOTA_HEADER_SIZE, out->payload_length, digest)) return -1;
  return memcmp(digest, out->sha256, 32) ? EOTA_E_PAYLOAD_DIGEST : EOTA_OK;
}
