/* Boot record, format 2: two banks, decode and write plans (src/core/record.ts). */
#include <string.h>
#include "eota.h"

#define MAGIC 0x52424F45u
#define BYTES 28
#define CONFIRM_BYTE 0x5A

static uint32_t u32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put32(uint8_t *b, uint32_t v) {
  b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
}

static const eota_boot_state NO_RECORD = { 0, -1, 0, EOTA_NO_SLOT, EOTA_NO_SLOT, 0, 0, 0, 0, 0, { 0, 0 } };

void eota_record_init(eota_record *r, const eota_flash *f, uint32_t bank0, uint32_t bank1) {
  r->flash = f;
  r->banks[0] = bank0;
  r->banks[1] = bank1;
  r->unit = f->write_align > 4 ? f->write_align : 4;
}

/* Where the confirm unit starts: roundUp(28, U); the trial units follow it. */
static uint32_t confirm_at(const eota_record *r, int bank) {
  return r->banks[bank] + (BYTES + r->unit - 1) / r->unit * r->unit;
}

static int erased(const uint8_t *b, uint32_t n, uint8_t v) {
  while (n--) if (*b++ != v) return 0;
  return 1;
}

/* 1 valid, 0 does not decode, -1 read refused. */
static int decode(const eota_record *r, int bank, eota_boot_state *s) {
  const eota_flash *f = r->flash;
  uint8_t b[BYTES], unit[EOTA_MAX_UNIT];
  uint32_t u = r->unit, at = confirm_at(r, bank), k;
  uint8_t n;
  int complete;
  if (u > EOTA_MAX_UNIT) return 0;
  if (f->read(f->ctx, r->banks[bank], b, BYTES)) return -1;
  if (u32(b) != MAGIC || b[4] != 2 || eota_crc32(0, b, 24) != u32(b + 24)) return 0;
  if (b[5] > 1 || (b[6] != EOTA_NO_SLOT && (b[6] > 1 || b[6] == b[5]))) return 0;
  n = b[7];
  if (n < 1 || n > EOTA_MAX_TRIALS || b[13] | b[14] | b[15]) return 0;
  s->trials_used = 0;
  for (k = 1; k <= n; k++) {
    if (f->read(f->ctx, at + k * u, unit, u)) return -1;
    if (!erased(unit, u, f->erase_value)) s->trials_used++;
  }
  if (f->read(f->ctx, at, unit, u)) return -1;
  complete = erased(unit, u, CONFIRM_BYTE);
  s->valid = 1;
  s->bank = bank;
  s->seq = u32(b + 8);
  s->confirmed = b[5];
  s->pending = b[6];
  s->max_trials = n;
  s->flags = b[12];
  s->pending_confirmed = b[6] != EOTA_NO_SLOT && complete;
  s->confirm_torn = !complete && !erased(unit, u, f->erase_value);
  s->crc[0] = u32(b + 16);
  s->crc[1] = u32(b + 20);
  return 1;
}

int eota_record_read(const eota_record *r, eota_boot_state *out) {
  eota_boot_state s, best = NO_RECORD;
  int i;
  for (i = 0; i < 2; i++) {
    int d = decode(r, i, &s);
    if (d < 0) return -1;
    /* Serial arithmetic: newer when the difference, as a signed 32-bit number, is positive. */
    if (d && (!best.valid || (s.seq - best.seq != 0 && s.seq - best.seq < 0x80000000u))) best = s;
  }
  *out = best;
  return 0;
}

int eota_record_write(const eota_record *r, const eota_boot_state *prev, const eota_record_fields *f, eota_boot_state *out) {
  const eota_flash *fl = r->flash;
  int bank = prev->valid ? 1 - prev->bank : 0;
  uint32_t addr = r->banks[bank], start, length, seq = prev->seq + 1;
  uint32_t len = confirm_at(r, bank) - addr;
  uint8_t b[BYTES + EOTA_MAX_UNIT];
  uint8_t flags;
  eota_boot_state s;
  if (r->unit > EOTA_MAX_UNIT || fl->block(fl->ctx, addr, &start, &length)) return -1;
  memset(b, fl->erase_value, len);
  put32(b, MAGIC);
  b[4] = 2;
  b[5] = f->confirmed;
  b[6] = f->pending;
  b[7] = f->max_trials;
  put32(b + 8, seq);
  flags = (uint8_t)((f->flags & 3) | (prev->valid ? prev->flags & (3 * EOTA_FLAG_CRC0) : 0));
  put32(b + 16, prev->crc[0]);
  put32(b + 20, prev->crc[1]);
  if (f->crc_slot == 0 || f->crc_slot == 1) {
    flags |= (uint8_t)(EOTA_FLAG_CRC0 << f->crc_slot);
    put32(b + 16 + 4 * f->crc_slot, f->crc);
  }
  b[12] = flags;
  b[13] = b[14] = b[15] = 0;
  put32(b + 24, eota_crc32(0, b, 24));
  if (fl->erase_block(fl->ctx, start, start + length) || fl->write(fl->ctx, addr, b, len)) return -1;
  if (decode(r, bank, &s) != 1 || s.seq != seq || s.trials_used || s.pending_confirmed) return -1;
  *out = s;
  return 0;
}

int eota_record_count_trial(const eota_record *r, const eota_boot_state *s, eota_boot_state *out) {
  const eota_flash *f = r->flash;
  uint8_t unit[EOTA_MAX_UNIT];
  uint32_t u = r->unit, at = confirm_at(r, s->bank), k;
  eota_boot_state d;
  int got;
  if (u > EOTA_MAX_UNIT) return 0;
  /* The first erased trial unit: a flipped bit may have spent any of them. */
  for (k = 1; k <= s->max_trials; k++) {
    if (f->read(f->ctx, at + k * u, unit, u)) return -1;
    if (!erased(unit, u, f->erase_value)) continue;
    memset(unit, 255 - f->erase_value, u);
    if (f->write(f->ctx, at + k * u, unit, u)) return 0; /* refused: ECC-locked, say */
    got = decode(r, s->bank, &d);
    if (got < 0) return -1;
    if (!got || d.seq != s->seq || d.trials_used <= s->trials_used) return 0;
    *out = d;
    return 1;
  }
  return 0;
}

int eota_record_confirm(const eota_record *r, const eota_boot_state *s, eota_boot_state *out) {
  const eota_flash *f = r->flash;
  uint8_t unit[EOTA_MAX_UNIT];
  eota_boot_state d;
  eota_record_fields n;
  if (s->pending_confirmed) {
    *out = *s;
    return 0;
  }
  /* A torn unit is never programmed again (ECC parts refuse): a new record instead. */
  if (!s->confirm_torn && r->unit <= EOTA_MAX_UNIT) {
    memset(unit, CONFIRM_BYTE, r->unit);
    if (!f->write(f->ctx, confirm_at(r, s->bank), unit, r->unit) && decode(r, s->bank, &d) == 1 &&
        d.seq == s->seq && d.pending_confirmed) {
      *out = d;
      return 0;
    }
  }
  n.confirmed = s->pending;
  n.pending = EOTA_NO_SLOT;
  n.max_trials = s->max_trials;
  n.flags = 0;
  n.crc_slot = -1;
  n.crc = 0;
  return eota_record_write(r, s, &n, out);
}

int eota_confirmed_slot(const eota_boot_state *s) {
  return s->pending_confirmed ? s->pending : s->confirmed;
}

int eota_on_trial(const eota_boot_state *s) {
  return s->valid && s->pending != EOTA_NO_SLOT && !s->pending_confirmed;
}
