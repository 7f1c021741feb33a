/*
 * The boot decision (src/boot/decide.ts): start the pending image on trial
 * (a trial spent first), roll back once its trials are spent or it fails,
 * fall back to the other slot once when the confirmed image rots, otherwise
 * the confirmed image. Never writes an image slot. Where the TypeScript
 * throws, functions here return THROWN and the caller takes the same path.
 */
#include "eota.h"

#define THROWN (-1)
#define NONE 0
#define DONE 1

typedef struct {
  const eota_flash *f;
  const eota_layout *l;
  eota_record rec;
  eota_boot_state first; /* the record as first read: its payload CRC-32s serve crcAtBoot */
  int crc_at_boot;
  eota_boot_choice *out;
} ctx;

/* EOTA_OK, a refusal code, or THROWN. */
static int check(ctx *c, int slot, eota_image_info *info) {
  uint32_t crc = c->first.crc[slot];
  int known = c->crc_at_boot && c->first.valid && (c->first.flags & (EOTA_FLAG_CRC0 << slot));
  int r = eota_verify_slot(c->f, c->l->slot_address[slot], c->l->slot_size[slot], c->l->board, known ? &crc : 0, info);
  return r < 0 ? THROWN : r;
}

static int choose(ctx *c, int slot, int reason, const eota_image_info *info, const eota_boot_state *s) {
  c->out->slot = slot;
  c->out->reason = reason;
  if (info) c->out->info = *info;
  c->out->state = *s;
  return DONE;
}

static void fields(eota_record_fields *f, int confirmed, int pending, int max_trials, int flags) {
  f->confirmed = (uint8_t)confirmed;
  f->pending = (uint8_t)pending;
  f->max_trials = (uint8_t)max_trials;
  f->flags = (uint8_t)flags;
  f->crc_slot = -1;
  f->crc = 0;
}

/* After a soft reset: the start the last power-on chose, from the record alone, writing nothing. */
static int again(ctx *c, const eota_boot_state *s) {
  eota_image_info info;
  int trial = eota_on_trial(s), k, v;
  if (trial && s->trials_used > 0) {
    v = check(c, s->pending, &info);
    if (v == THROWN) return THROWN;
    if (v == EOTA_OK) return choose(c, s->pending, s->flags & EOTA_FLAG_FALLBACK ? EOTA_BOOT_FALLBACK : EOTA_BOOT_TRIAL, &info, s);
  }
  for (k = 0; k < 2; k++) {
    int slot = s->valid ? (trial ? s->confirmed : eota_confirmed_slot(s)) : k;
    v = check(c, slot, &info);
    if (v == THROWN) return THROWN;
    if (v == EOTA_OK) return choose(c, slot, !s->valid ? EOTA_BOOT_SCAN : trial ? EOTA_BOOT_ROLLBACK : EOTA_BOOT_CONFIRMED, &info, s);
    if (s->valid) break;
  }
  return choose(c, -1, EOTA_BOOT_NONE, 0, s);
}

/* Starts the pending image on trial, one trial spent; when no unit takes it, the trials left move to a new record. */
static int trial(ctx *c, const eota_boot_state *s, int reason) {
  eota_image_info info;
  eota_boot_state n, m;
  eota_record_fields f;
  int v = check(c, s->pending, &info), got;
  if (v == THROWN) return THROWN;
  if (v != EOTA_OK) return NONE;
  got = eota_record_count_trial(&c->rec, s, &n);
  if (got < 0) return THROWN;
  if (!got) {
    fields(&f, s->confirmed, s->pending, s->max_trials - s->trials_used, s->flags);
    if (eota_record_write(&c->rec, s, &f, &m)) return THROWN;
    got = eota_record_count_trial(&c->rec, &m, &n);
    if (got < 0) return THROWN;
  }
  return got ? choose(c, n.pending, reason, &info, &n) : NONE;
}

static int decide(ctx *c, eota_boot_state s) {
  eota_image_info info;
  eota_boot_state w;
  eota_record_fields f;
  int rolled_back = 0, t, v, k;
  if (eota_on_trial(&s)) {
    if (s.trials_used < s.max_trials) {
      t = trial(c, &s, s.flags & EOTA_FLAG_FALLBACK ? EOTA_BOOT_FALLBACK : EOTA_BOOT_TRIAL);
      if (t != NONE) return t;
    }
    /* Trials spent or the image went bad: back for good, and the record says so. */
    rolled_back = 1;
    fields(&f, s.confirmed, EOTA_NO_SLOT, s.max_trials, EOTA_FLAG_ROLLED_BACK | (s.flags & EOTA_FLAG_FALLBACK));
    if (eota_record_write(&c->rec, &s, &f, &w)) {
      /* The old record stands; the next power-on writes it again. The confirmed image meanwhile. */
      v = check(c, s.confirmed, &info);
      if (v == THROWN) return THROWN;
      return v == EOTA_OK ? choose(c, s.confirmed, EOTA_BOOT_ROLLBACK, &info, &s) : choose(c, -1, EOTA_BOOT_NONE, 0, &s);
    }
    s = w;
  }
  if (s.valid) {
    int cs = eota_confirmed_slot(&s);
    v = check(c, cs, &info);
    if (v == THROWN) return THROWN;
    if (v == EOTA_OK) return choose(c, cs, rolled_back ? EOTA_BOOT_ROLLBACK : EOTA_BOOT_CONFIRMED, &info, &s);
    /* The confirmed image rotted: once, the other slot's image on trial in its place. */
    if (!(s.flags & EOTA_FLAG_FALLBACK)) {
      fields(&f, cs, 1 - cs, c->l->max_trials, s.flags | EOTA_FLAG_FALLBACK);
      if (eota_record_write(&c->rec, &s, &f, &w)) return THROWN;
      t = trial(c, &w, EOTA_BOOT_FALLBACK);
      if (t != NONE) return t;
    }
    return choose(c, -1, EOTA_BOOT_NONE, 0, &s);
  }
  for (k = 0; k < 2; k++) {
    v = check(c, k, &info);
    if (v == THROWN) return THROWN;
    if (v == EOTA_OK) return choose(c, k, EOTA_BOOT_SCAN, &info, &s);
  }
  return choose(c, -1, EOTA_BOOT_NONE, 0, &s);
}

static void no_record(eota_boot_state *s) {
  s->valid = 0; s->bank = -1; s->seq = 0; s->confirmed = s->pending = EOTA_NO_SLOT; s->max_trials = 0; s->flags = 0;
  s->trials_used = 0; s->pending_confirmed = s->confirm_torn = 0; s->crc[0] = s->crc[1] = 0;
}

void eota_decide_boot(const eota_flash *f, const eota_layout *l, int crc_at_boot, int power_on, eota_boot_choice *out) {
  ctx c;
  eota_boot_state s;
  eota_image_info info;
  int trial_, only, k;
  c.f = f;
  c.l = l;
  c.crc_at_boot = crc_at_boot;
  c.out = out;
  eota_record_init(&c.rec, f, l->banks[0], l->banks[1]);
  no_record(&c.first);
  if (eota_record_read(&c.rec, &s) == 0) {
    c.first = s;
    if ((power_on ? decide(&c, s) : again(&c, &s)) == DONE) return;
  }
  /* Something was refused on the way: read the record again (none: scan); only its confirmed slot may start. */
  if (eota_record_read(&c.rec, &s) != 0) no_record(&s);
  trial_ = eota_on_trial(&s);
  only = !s.valid ? -1 : trial_ ? s.confirmed : eota_confirmed_slot(&s);
  for (k = 0; k < 2; k++) {
    int slot = only >= 0 ? only : k;
    if (check(&c, slot, &info) == EOTA_OK) {
      choose(&c, slot, only < 0 ? EOTA_BOOT_SCAN : trial_ ? EOTA_BOOT_ROLLBACK : EOTA_BOOT_CONFIRMED, &info, &s);
      return;
    }
    if (only >= 0) break;
  }
  choose(&c, -1, EOTA_BOOT_NONE, 0, &s);
}
