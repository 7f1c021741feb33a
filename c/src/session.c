/*
 * Update session (src/core/session.ts): offer -> start -> write... -> finish,
 * or cancel / stall. Erases and writes nothing but the staging slot and (at
 * start and finish) the boot record.
 */
#include <string.h>
#include "eota.h"

static void copy_text(char *out, size_t cap, const char *in) {
  size_t i;
  for (i = 0; i + 1 < cap && in[i]; i++) out[i] = in[i];
  out[i] = 0;
}

static int end(eota_session *s, int code) {
  s->state = EOTA_IDLE;
  s->last_error = code;
  s->carry = 0;
  return code;
}

void eota_session_init(eota_session *s) {
  s->state = EOTA_IDLE;
  s->last_error = EOTA_OK;
  s->received = s->size = s->carry = 0;
  s->slot = EOTA_NO_SLOT;
  s->have_header = s->have_boot = 0;
  s->last_off = -1;
  eota_record_init(&s->rec, s->flash, s->layout->banks[0], s->layout->banks[1]);
}

/* The slot that is not the confirmed image, or -1 when that is unknown or not what runs. */
static int staging_slot(const eota_session *s, const eota_boot_state *b) {
  int c;
  if (!b->valid) return s->running == 0 || s->running == 1 ? 1 - s->running : -1;
  c = eota_confirmed_slot(b);
  if (s->running >= 0 && s->running != c) return -1;
  return 1 - c;
}

int eota_session_offer(eota_session *s, uint32_t size, const char *type, const char *version, uint32_t now) {
  eota_boot_state b;
  int staging;
  if (s->state == EOTA_RECEIVING || s->state == EOTA_STAGED) return EOTA_E_BUSY;
  if (eota_record_read(&s->rec, &b)) return EOTA_E_FLASH;
  if (eota_on_trial(&b)) return EOTA_E_TRIAL_ACTIVE;
  staging = staging_slot(s, &b);
  if (staging < 0) return EOTA_E_RECORD;
  if (size < EOTA_HEADER_SIZE) return EOTA_E_SIZE;
  if (size > s->layout->slot_size[staging]) return EOTA_E_TOO_LARGE;
  if (type[0] && strcmp(type, s->fw_type)) return EOTA_E_WRONG_TYPE;
  if (version[0] && !strcmp(version, s->fw_version)) return EOTA_E_SAME_VERSION;
  s->offer_size = size;
  copy_text(s->offer_type, sizeof s->offer_type, type);
  copy_text(s->offer_version, sizeof s->offer_version, version);
  s->boot = b;
  s->have_boot = 1;
  s->state = EOTA_OFFERED;
  s->touched = now;
  return EOTA_OK;
}

/* Whole blocks from `from` up to the one holding to - 1, never past the slot's end (src/core/erase.ts). */
static int erase_range(const eota_flash *f, uint32_t slot_end, uint32_t from, uint32_t to) {
  uint32_t a = from, start, length;
  while (a < to) {
    if (f->block(f->ctx, a, &start, &length)) return EOTA_E_FLASH;
    if (start != a || start + length > slot_end) return EOTA_E_LAYOUT;
    if (f->erase_block(f->ctx, start, start + length)) return EOTA_E_FLASH;
    a = start + length;
  }
  return EOTA_OK;
}

int eota_session_start(eota_session *s, uint32_t now) {
  eota_boot_state b = s->boot, w;
  eota_record_fields f;
  const eota_layout *l = s->layout;
  int c, e, slot;
  if (s->state != EOTA_OFFERED || !s->have_boot) return EOTA_E_STATE;
  c = b.valid ? eota_confirmed_slot(&b) : s->running;
  /* No record may point at the slot about to be erased. */
  if (!b.valid || b.pending != EOTA_NO_SLOT) {
    f.confirmed = (uint8_t)c;
    f.pending = EOTA_NO_SLOT;
    f.max_trials = l->max_trials;
    f.flags = (uint8_t)(b.flags & EOTA_FLAG_ROLLED_BACK);
    f.crc_slot = -1;
    f.crc = 0;
    if (eota_record_write(&s->rec, &b, &f, &w)) return end(s, EOTA_E_RECORD);
    b = w;
  }
  s->boot = b;
  slot = 1 - c;
  e = erase_range(s->flash, l->slot_address[slot] + l->slot_size[slot], l->slot_address[slot], l->slot_address[slot] + s->offer_size);
  if (e != EOTA_OK) return end(s, e);
  s->slot = slot;
  s->size = s->offer_size;
  s->received = 0;
  s->carry = 0;
  s->last_off = -1;
  s->have_header = 0;
  s->state = EOTA_RECEIVING;
  s->touched = now;
  return EOTA_OK;
}

static int flash_write(const eota_flash *f, const uint8_t *data, uint32_t n, uint32_t address, uint32_t crc) {
  uint32_t c;
  if (f->write(f->ctx, address, data, n)) return EOTA_E_FLASH;
  if (eota_crc32_flash(f, address, n, &c)) return EOTA_E_FLASH;
  return c != crc ? EOTA_E_WRITE_VERIFY : EOTA_OK;
}

/* Writes a chunk at the next position, keeping a tail shorter than the write alignment in buf. */
static int program(eota_session *s, const uint8_t *data, uint32_t len, uint32_t crc) {
  uint32_t a = s->flash->write_align;
  uint32_t base = s->layout->slot_address[s->slot] + s->received - s->carry, n, keep;
  int r;
  if (!s->carry && len % a == 0) return flash_write(s->flash, data, len, base, crc);
  memcpy(s->buf + s->carry, data, len);
  n = s->carry + len;
  keep = n % a;
  n -= keep;
  if (n) {
    r = flash_write(s->flash, s->buf, n, base, eota_crc32(0, s->buf, n));
    if (r != EOTA_OK) return r;
  }
  memmove(s->buf, s->buf + n, keep);
  s->carry = keep;
  return EOTA_OK;
}

/* Parse, then the admission rules (src/core/admit.ts). */
static int check_header(eota_session *s) {
  eota_image_info h;
  int r = eota_header_parse(s->hdr, EOTA_HEADER_SIZE, &h);
  if (r != EOTA_OK) return r;
  if (strcmp(h.board, s->layout->board)) return EOTA_E_WRONG_BOARD;
  if (strcmp(h.type, s->fw_type)) return EOTA_E_WRONG_TYPE;
  if (h.image_length != s->size) return EOTA_E_HEADER_MISMATCH;
  if (s->offer_type[0] && strcmp(s->offer_type, h.type)) return EOTA_E_HEADER_MISMATCH;
  if (s->offer_version[0] && strcmp(s->offer_version, h.version)) return EOTA_E_HEADER_MISMATCH;
  if (!strcmp(h.version, s->fw_version)) return EOTA_E_SAME_VERSION;
  s->header = h;
  s->have_header = 1;
  return EOTA_OK;
}

int eota_session_write(eota_session *s, uint32_t offset, const uint8_t *data, uint32_t len, uint32_t crc_sent, uint32_t now) {
  uint32_t crc;
  int r;
  if (s->state != EOTA_RECEIVING) return EOTA_E_STATE;
  if (len == 0 || len > s->chunk_max) return EOTA_E_CHUNK_SIZE;
  crc = eota_crc32(0, data, len);
  if (crc != crc_sent) return EOTA_E_CHUNK_CRC;
  s->touched = now;
  /* A lost reply makes the server resend the chunk just written: same place, same data. */
  if ((int64_t)offset == s->last_off && len == s->last_len && crc == s->last_crc && offset + len == s->received) return EOTA_OK;
  if (offset != s->received) return EOTA_E_OFFSET;
  if (len > s->size - offset) return EOTA_E_OVERFLOW;
  if (offset < EOTA_HEADER_SIZE) memcpy(s->hdr + offset, data, len < EOTA_HEADER_SIZE - offset ? len : EOTA_HEADER_SIZE - offset);
  r = program(s, data, len, crc);
  if (r != EOTA_OK) return end(s, r);
  s->received = offset + len;
  s->last_off = offset;
  s->last_len = len;
  s->last_crc = crc;
  if (!s->have_header && s->received >= EOTA_HEADER_SIZE) {
    r = check_header(s);
    if (r != EOTA_OK) return end(s, r);
  }
  return EOTA_OK;
}

int eota_session_finish(eota_session *s, const uint8_t *file_sha256) {
  const eota_flash *f = s->flash;
  uint32_t at, a = f->write_align;
  uint8_t d[32];
  eota_record_fields n;
  eota_boot_state w;
  int r;
  if (s->state != EOTA_RECEIVING) return EOTA_E_STATE;
  if (s->received != s->size || !s->have_header) return end(s, EOTA_E_INCOMPLETE);
  at = s->layout->slot_address[s->slot];
  if (s->carry) {
    memset(s->buf + s->carry, f->erase_value, a - s->carry);
    r = flash_write(f, s->buf, a, at + s->received - s->carry, eota_crc32(0, s->buf, a));
    if (r != EOTA_OK) return end(s, r);
    s->carry = 0;
  }
  if (eota_sha256_flash(f, at + EOTA_HEADER_SIZE, s->header.payload_length, d)) return end(s, EOTA_E_FLASH);
  if (memcmp(d, s->header.sha256, 32)) return end(s, EOTA_E_PAYLOAD_DIGEST);
  if (file_sha256) {
    if (eota_sha256_flash(f, at, s->size, d)) return end(s, EOTA_E_FLASH);
    if (memcmp(d, file_sha256, 32)) return end(s, EOTA_E_DIGEST);
  }
  /* The payload's CRC-32 goes into the record: boards without SHA-256 check it at boot. */
  n.confirmed = (uint8_t)eota_confirmed_slot(&s->boot);
  n.pending = (uint8_t)s->slot;
  n.max_trials = s->layout->max_trials;
  n.flags = 0;
  n.crc_slot = s->slot;
  if (eota_crc32_flash(f, at + EOTA_HEADER_SIZE, s->header.payload_length, &n.crc) ||
      eota_record_write(&s->rec, &s->boot, &n, &w)) return end(s, EOTA_E_RECORD);
  s->boot = w;
  s->state = EOTA_STAGED;
  s->last_error = EOTA_OK;
  return EOTA_OK;
}

int eota_session_cancel(eota_session *s) {
  return s->state == EOTA_OFFERED || s->state == EOTA_RECEIVING ? end(s, EOTA_E_CANCELLED) : EOTA_OK;
}

int eota_session_tick(eota_session *s, uint32_t now) {
  if ((s->state == EOTA_OFFERED || s->state == EOTA_RECEIVING) && now - s->touched >= (s->stall_ms ? s->stall_ms : 60000u)) {
    return end(s, EOTA_E_STALLED);
  }
  return EOTA_OK;
}
