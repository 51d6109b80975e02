/*
 * link.c -- linking persons to their address history and to a register.
 *
 * Both joins have the same shape: a small table of persons (one row each,
 * keyed by one or two id columns, such as CBS's RINPERSOONS + RINPERSOON)
 * and a long table of events (address spells, register rows) keyed the same
 * way. The persons are indexed once: by direct addressing when the key is
 * one integer column of modest range, otherwise by an open-addressing hash
 * table of the key tuple (strings by their cached CHARSXP, doubles by their
 * bits). Then ONE pass over the events, in input order, looks each event's
 * person up and updates that person's running best (the covering spell
 * with the latest start, the earliest registration, ...). Nothing is
 * sorted, nothing of the inputs is copied, and ties go to the later row,
 * which makes the result deterministic and independent of how the events
 * are ordered apart from exact ties. A non-equi join (data.table's
 * `on = .(id, start <= ref, end > ref)`) sorts both tables instead.
 *
 * Dates are days since 1970-01-01 (R's Date), integer or double. The
 * reference date of age A is the A-th birthday; a 29 February birthday
 * falls on 28 February in years that are not leap years. Calendar
 * arithmetic uses the days-from-civil algorithms of H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms" (2013, public domain).
 */
#include "link.h"

#include <stdio.h>

#include "progress.h"

/* ---- keys ------------------------------------------------------------------- */

enum { KEY_INT = 0, KEY_DOUBLE = 1, KEY_STRING = 2 };

typedef struct {
  int ncol, n;
  int type[2];
  const int *iv[2];
  const double *dv[2];
  SEXP sv[2];
} keyset;

static void keyset_init(keyset *k, SEXP cols, const char *arg) {
  k->ncol = (int)XLENGTH(cols);
  if (k->ncol < 1 || k->ncol > 2) SPR_INTERNAL("%s: 1 or 2 key columns", arg);
  k->n = (int)XLENGTH(VECTOR_ELT(cols, 0));
  for (int j = 0; j < k->ncol; j++) {
    SEXP x = VECTOR_ELT(cols, j);
    if (XLENGTH(x) != k->n) SPR_INTERNAL("%s: key columns differ in length", arg);
    switch (TYPEOF(x)) {
      case INTSXP: k->type[j] = KEY_INT; k->iv[j] = INTEGER(x); break;
      case REALSXP: k->type[j] = KEY_DOUBLE; k->dv[j] = REAL(x); break;
      case STRSXP: k->type[j] = KEY_STRING; k->sv[j] = x; break;
      default: SPR_INTERNAL("%s: key of type %s", arg, Rf_type2char(TYPEOF(x)));
    }
  }
}

static inline int key_na(const keyset *k, int i) {
  for (int j = 0; j < k->ncol; j++) {
    switch (k->type[j]) {
      case KEY_INT: if (k->iv[j][i] == NA_INTEGER) return 1; break;
      case KEY_DOUBLE: if (ISNAN(k->dv[j][i])) return 1; break;
      default: if (STRING_ELT(k->sv[j], i) == NA_STRING) return 1;
    }
  }
  return 0;
}


static inline uint64_t key_part(const keyset *k, int j, int i) {
  switch (k->type[j]) {
    case KEY_INT: return (uint64_t)(int64_t)k->iv[j][i];
    case KEY_DOUBLE: {
      double v = k->dv[j][i];
      uint64_t b;
      if (v == 0) v = 0;
      memcpy(&b, &v, sizeof b);
      return b;
    }
    default: return (uint64_t)(uintptr_t)STRING_ELT(k->sv[j], i);
  }
}

static inline uint64_t key_hash(const keyset *k, int i) {
  uint64_t h = spr_mix64(key_part(k, 0, i));
  if (k->ncol == 2) h = spr_mix64(h ^ (key_part(k, 1, i) + 0x9e3779b97f4a7c15ULL));
  return h;
}

static inline int key_equal(const keyset *a, int i, const keyset *b, int j) {
  for (int c = 0; c < a->ncol; c++)
    if (key_part(a, c, i) != key_part(b, c, j)) return 0;
  return 1;
}

static void key_format(const keyset *k, int i, char *buf, size_t len) {
  size_t used = 0;
  for (int j = 0; j < k->ncol && used < len; j++) {
    const char *sep = j ? ", " : "";
    int w;
    switch (k->type[j]) {
      case KEY_INT: w = snprintf(buf + used, len - used, "%s%d", sep, k->iv[j][i]); break;
      case KEY_DOUBLE: w = snprintf(buf + used, len - used, "%s%.15g", sep, k->dv[j][i]); break;
      default: w = snprintf(buf + used, len - used, "%s%s", sep,
                            Rf_translateCharUTF8(STRING_ELT(k->sv[j], i)));
    }
    if (w < 0) break;
    used += (size_t)w;
  }
}

/* ---- the person index ----------------------------------------------------------- */

typedef struct {
  const keyset *k;
  int direct, lo;
  int64_t size; /* direct: value range; hash: number of slots (power of 2) */
  int *slot;    /* person (0-based) or -1 */
} person_index;

static void index_build(person_index *ix, const keyset *k, const char *arg,
                        spr_progress *p) {
  int n = k->n;
  ix->k = k;
  for (int i = 0; i < n; i++)
    if (key_na(k, i))
      spr_error(arg, i + 1, "The id of row %d of `%s` is missing; every %s "
                "needs an id.", i + 1, arg,
                strcmp(arg, "persons") == 0 ? "person" : "row");
  ix->direct = 0;
  if (k->ncol == 1 && k->type[0] == KEY_INT && n > 0) {
    int lo = INT_MAX, hi = INT_MIN;
    for (int i = 0; i < n; i++) {
      if (k->iv[0][i] < lo) lo = k->iv[0][i];
      if (k->iv[0][i] > hi) hi = k->iv[0][i];
    }
    if ((int64_t)hi - lo < 4 * (int64_t)n + 1024) {
      ix->direct = 1;
      ix->lo = lo;
      ix->size = (int64_t)hi - lo + 1;
    }
  }
  if (!ix->direct) {
    ix->size = 1024;
    while (ix->size < 2 * (int64_t)n) ix->size *= 2;
  }
  ix->slot = (int *)R_alloc((size_t)ix->size, sizeof(int));
  memset(ix->slot, -1, (size_t)ix->size * sizeof(int));
  uint64_t mask = (uint64_t)ix->size - 1;
  for (int start = 0; start < n; start += SPR_CHUNK) {
    int end = n - start > SPR_CHUNK ? start + SPR_CHUNK : n;
    for (int i = start; i < end; i++) {
      int64_t h;
      if (ix->direct) {
        h = (int64_t)k->iv[0][i] - ix->lo;
      } else {
        h = (int64_t)(key_hash(k, i) & mask);
        while (ix->slot[h] >= 0 && !key_equal(k, ix->slot[h], k, i))
          h = (int64_t)(((uint64_t)h + 1) & mask);
      }
      if (ix->slot[h] >= 0) {
        char id[256];
        key_format(k, i, id, sizeof id);
        spr_error(arg, i + 1, "`%s` must have one row per person, but id (%s) "
                  "is in rows %d and %d.", arg, id, ix->slot[h] + 1, i + 1);
      }
      ix->slot[h] = i;
    }
    spr_progress_add(p, end - start);
  }
}

/* Batched lookups. The pass over the events is bound by memory latency:
 * each event touches a random index slot and a random person. Looking up a
 * batch of rows in stages (compute the slots and prefetch them; read them
 * and prefetch the persons' state) lets those cache misses overlap. */
#define LOOKUP_BATCH 32
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* First slot to probe for row i of `o`, or -1 when it cannot match. */
static inline int64_t index_start(const person_index *ix, const keyset *o,
                                  int i) {
  if (ix->direct) {
    int v = o->iv[0][i];
    if (v == NA_INTEGER) return -1;
    int64_t h = (int64_t)v - ix->lo;
    return h < 0 || h >= ix->size ? -1 : h;
  }
  if (key_na(o, i)) return -1;
  return (int64_t)(key_hash(o, i) & ((uint64_t)ix->size - 1));
}

static inline int index_probe(const person_index *ix, const keyset *o, int i,
                              int64_t h) {
  if (ix->direct) return ix->slot[h];
  uint64_t mask = (uint64_t)ix->size - 1;
  while (ix->slot[h] >= 0) {
    if (key_equal(ix->k, ix->slot[h], o, i)) return ix->slot[h];
    h = (int64_t)(((uint64_t)h + 1) & mask);
  }
  return -1;
}

/* q[k] = person of row from + k (or -1), k < to - from <= LOOKUP_BATCH;
 * `state` (elements of `size` bytes per person) is prefetched for each. */
static void index_find_batch(const person_index *ix, const keyset *o,
                             int from, int to, int *q, const void *state,
                             size_t size) {
  int64_t h[LOOKUP_BATCH];
  int n = to - from;
  for (int k = 0; k < n; k++) {
    h[k] = index_start(ix, o, from + k);
    if (h[k] >= 0) PREFETCH(&ix->slot[h[k]]);
  }
  for (int k = 0; k < n; k++) {
    q[k] = h[k] < 0 ? -1 : index_probe(ix, o, from + k, h[k]);
    if (q[k] >= 0) PREFETCH((const char *)state + (size_t)q[k] * size);
  }
}

/* ---- dates -------------------------------------------------------------------------- */

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void format_day(int day, char *buf, size_t len) {
  int64_t y;
  int m, d;
  civil_from_days(day, &y, &m, &d);
  snprintf(buf, len, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* Days of the `age`-th birthday of someone born on day `birth`. */
static double birthday(double birth, int age) {
  if (!R_FINITE(birth) || fabs(birth) > 1e9) return NA_REAL;
  int64_t y;
  int m, d;
  civil_from_days((int64_t)floor(birth), &y, &m, &d);
  y += age;
  if (m == 2 && d == 29 && !is_leap(y)) d = 28;
  return (double)days_from_civil(y, m, d);
}

static inline double date_at(SEXP x, int i) {
  if (TYPEOF(x) == INTSXP) {
    int v = INTEGER(x)[i];
    return v == NA_INTEGER ? NA_REAL : (double)v;
  }
  double v = REAL(x)[i];
  return ISNAN(v) ? NA_REAL : floor(v);
}

SEXP spr_c_reference_date(SEXP birth_sexp, SEXP age_sexp) {
  int n = (int)XLENGTH(birth_sexp), age = Rf_asInteger(age_sexp);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, n));
  double *v_out = REAL(out);
  for (int i = 0; i < n; i++) {
    double b = date_at(birth_sexp, i);
    v_out[i] = ISNAN(b) ? NA_REAL : birthday(b, age);
  }
  UNPROTECT(1);
  return out;
}

/* ---- origin at age ---------------------------------------------------------------------- */

enum { ST_FOUND = 1, ST_OVERLAP = 2, ST_GAP = 3, ST_NO_ADDRESS = 4,
       ST_NO_BIRTH = 5, ST_OVERLAP_ERROR = 6 };
enum { OV_LATEST = 1, OV_LONGEST = 2, OV_ERROR = 3 };
enum { GAP_NONE = 1, GAP_BEFORE = 2, GAP_AFTER = 3, GAP_NEAREST = 4 };

/* Running state of one person during the pass over the address spells:
 * the best covering spell, the last spell ending before the reference date
 * and the first starting after it. Dates are whole days in int32 (open ends
 * are DAY_OPEN) so that a person's state fits in one cache line: the pass
 * touches one slot of the index and one state per spell. */
#define DAY_OPEN INT_MAX
#define DAY_NA INT_MIN

typedef struct {
  int ref;
  int ncov, cov, cov_s, cov_e;
  int bef, bef_s, bef_e;
  int aft, aft_s, aft_e;
} person_state;

/* Returns list(row = chosen address row (1-based) or NA, status, ref,
 * unmatched = address rows whose id is not among the persons). */
SEXP spr_c_origin(SEXP pkeys_sexp, SEXP akeys_sexp, SEXP birth_sexp,
                  SEXP start_sexp, SEXP end_sexp, SEXP age_sexp,
                  SEXP overlap_sexp, SEXP gap_sexp, SEXP max_gap_sexp) {
  int nprot = 0;
  keyset pk, ak;
  keyset_init(&pk, pkeys_sexp, "persons");
  keyset_init(&ak, akeys_sexp, "addresses");
  int np = pk.n, na = ak.n;
  int age = Rf_asInteger(age_sexp), overlap = Rf_asInteger(overlap_sexp);
  int gap = Rf_asInteger(gap_sexp);
  double max_gap = Rf_asReal(max_gap_sexp);
  if (XLENGTH(birth_sexp) != np || XLENGTH(start_sexp) != na ||
      XLENGTH(end_sexp) != na)
    SPR_INTERNAL("lengths of dates and keys differ");
  int start_int = TYPEOF(start_sexp) == INTSXP, end_int = TYPEOF(end_sexp) == INTSXP;
  const double *v_sd = start_int ? NULL : REAL(start_sexp);
  const double *v_ed = end_int ? NULL : REAL(end_sexp);

  spr_progress p;
  PROTECT(spr_progress_start(&p, (double)np * 2 + na, "linking addresses"));
  nprot++;
  person_index ix;
  index_build(&ix, &pk, "persons", &p);

  SEXP row = PROTECT(Rf_allocVector(INTSXP, np)); nprot++;
  SEXP status = PROTECT(Rf_allocVector(INTSXP, np)); nprot++;
  SEXP ref = PROTECT(Rf_allocVector(REALSXP, np)); nprot++;
  int *v_row = INTEGER(row), *v_status = INTEGER(status);
  double *v_ref = REAL(ref);
  person_state *st = (person_state *)R_alloc((size_t)np + 1, sizeof(person_state));
  for (int i = 0; i < np; i++) {
    double b = date_at(birth_sexp, i);
    double r = ISNAN(b) ? NA_REAL : birthday(b, age);
    if (!ISNAN(r) && fabs(r) >= 2e9) r = NA_REAL; /* beyond int32 days */
    v_ref[i] = r;
    st[i].ref = ISNAN(r) ? DAY_NA : (int)r;
    st[i].ncov = 0;
    st[i].cov = st[i].bef = st[i].aft = -1;
  }
  spr_progress_add(&p, np);

  int unmatched = 0, batch[LOOKUP_BATCH], batch_from = 0, batch_to = 0;
  for (int start = 0; start < na; start += SPR_CHUNK) {
    int stop = na - start > SPR_CHUNK ? start + SPR_CHUNK : na;
    for (int i = start; i < stop; i++) {
      if (i >= batch_to) {
        batch_from = i;
        batch_to = stop - i > LOOKUP_BATCH ? i + LOOKUP_BATCH : stop;
        index_find_batch(&ix, &ak, batch_from, batch_to, batch, st,
                         sizeof(person_state));
      }
      int s, e;
      if (start_int) {
        s = INTEGER(start_sexp)[i] == NA_INTEGER ? DAY_NA : INTEGER(start_sexp)[i];
      } else {
        double v = v_sd[i];
        s = ISNAN(v) ? DAY_NA : v >= 2e9 ? DAY_OPEN - 1 : v <= -2e9 ? DAY_NA + 1 : (int)floor(v);
      }
      if (end_int) {
        e = INTEGER(end_sexp)[i] == NA_INTEGER ? DAY_OPEN : INTEGER(end_sexp)[i];
      } else {
        double v = v_ed[i];
        e = ISNAN(v) || v >= 2e9 ? DAY_OPEN : v <= -2e9 ? DAY_NA + 1 : (int)floor(v);
      }
      if (s == DAY_NA)
        spr_error("addresses", i + 1, "Row %d of `addresses` has no start "
                  "date; every spell needs one.", i + 1);
      if (e < s) {
        char ds[32], de[32];
        format_day(s, ds, sizeof ds);
        format_day(e, de, sizeof de);
        spr_error("addresses", i + 1, "Row %d of `addresses` ends (%s) before "
                  "it starts (%s).", i + 1, de, ds);
      }
      int q = batch[i - batch_from];
      if (q < 0) {
        unmatched++;
        continue;
      }
      person_state *ps = &st[q];
      int r = ps->ref;
      if (r == DAY_NA || s == e) continue; /* an empty spell covers no day */
      if (s <= r && r < e) {
        int better;
        if (ps->ncov == 0) {
          better = 1;
        } else if (overlap == OV_LONGEST) {
          /* open spells are longest; int64 so that differences cannot wrap */
          int64_t len = e == DAY_OPEN ? INT64_MAX : (int64_t)e - s;
          int64_t blen = ps->cov_e == DAY_OPEN ? INT64_MAX : (int64_t)ps->cov_e - ps->cov_s;
          better = len > blen || (len == blen && s >= ps->cov_s);
        } else {
          better = s > ps->cov_s || (s == ps->cov_s && e >= ps->cov_e);
        }
        ps->ncov++;
        if (better) {
          ps->cov = i;
          ps->cov_s = s;
          ps->cov_e = e;
        }
      } else if (e <= r) {
        if (ps->bef < 0 || e > ps->bef_e || (e == ps->bef_e && s >= ps->bef_s)) {
          ps->bef = i;
          ps->bef_s = s;
          ps->bef_e = e;
        }
      } else if (ps->aft < 0 || s < ps->aft_s ||
                 (s == ps->aft_s && e >= ps->aft_e)) {
        ps->aft = i;
        ps->aft_s = s;
        ps->aft_e = e;
      }
    }
    spr_progress_add(&p, stop - start);
  }

  for (int q = 0; q < np; q++) {
    const person_state *ps = &st[q];
    v_row[q] = NA_INTEGER;
    if (ps->ref == DAY_NA) {
      v_status[q] = ST_NO_BIRTH;
    } else if (ps->ncov == 1) {
      v_status[q] = ST_FOUND;
      v_row[q] = ps->cov + 1;
    } else if (ps->ncov > 1) {
      v_status[q] = overlap == OV_ERROR ? ST_OVERLAP_ERROR : ST_OVERLAP;
      v_row[q] = ps->cov + 1;
    } else {
      v_status[q] = ST_NO_ADDRESS;
      /* distance in days from the reference date to the spell's nearest
       * covered day: the day before `end`, or `start` */
      double db = ps->bef >= 0 ? (double)ps->ref - ps->bef_e + 1 : R_PosInf;
      double da = ps->aft >= 0 ? (double)ps->aft_s - ps->ref : R_PosInf;
      int pick = -1;
      if (gap == GAP_BEFORE && db <= max_gap) pick = ps->bef;
      if (gap == GAP_AFTER && da <= max_gap) pick = ps->aft;
      if (gap == GAP_NEAREST) {
        if (db <= da && db <= max_gap) pick = ps->bef;
        else if (da < db && da <= max_gap) pick = ps->aft;
      }
      if (pick >= 0) {
        v_status[q] = ST_GAP;
        v_row[q] = pick + 1;
      }
    }
  }
  spr_progress_add(&p, np);
  spr_progress_done(&p);

  SEXP out = PROTECT(Rf_allocVector(VECSXP, 4)); nprot++;
  SET_VECTOR_ELT(out, 0, row);
  SET_VECTOR_ELT(out, 1, status);
  SET_VECTOR_ELT(out, 2, ref);
  SET_VECTOR_ELT(out, 3, Rf_ScalarInteger(unmatched));
  UNPROTECT(nprot);
  return out;
}

/* ---- register ------------------------------------------------------------------------------- */

/* outcome_sexp: per register row the outcome (1..K) its type stands for, or
 * NA for other types. Returns list(first = K date vectors, has = K logical
 * vectors, unmatched = rows of a wanted type whose id is not a person). A
 * row without a date counts as a registration at an unknown date. */
SEXP spr_c_register(SEXP pkeys_sexp, SEXP rkeys_sexp, SEXP outcome_sexp,
                    SEXP noutcome_sexp, SEXP date_sexp, SEXP censor_sexp) {
  int nprot = 0;
  keyset pk, rk;
  keyset_init(&pk, pkeys_sexp, "persons");
  keyset_init(&rk, rkeys_sexp, "register");
  int np = pk.n, nr = rk.n, k = Rf_asInteger(noutcome_sexp);
  double censor = Rf_asReal(censor_sexp);
  const int *v_outcome = INTEGER(outcome_sexp);
  if (XLENGTH(outcome_sexp) != nr || XLENGTH(date_sexp) != nr || k < 1)
    SPR_INTERNAL("register columns differ in length");

  spr_progress p;
  PROTECT(spr_progress_start(&p, (double)np + nr, "linking the register"));
  nprot++;
  person_index ix;
  index_build(&ix, &pk, "persons", &p);

  SEXP first = PROTECT(Rf_allocVector(VECSXP, k)); nprot++;
  SEXP has = PROTECT(Rf_allocVector(VECSXP, k)); nprot++;
  double **v_first = (double **)R_alloc((size_t)k, sizeof(double *));
  int **v_has = (int **)R_alloc((size_t)k, sizeof(int *));
  for (int j = 0; j < k; j++) {
    SET_VECTOR_ELT(first, j, Rf_allocVector(REALSXP, np));
    SET_VECTOR_ELT(has, j, Rf_allocVector(LGLSXP, np));
    v_first[j] = REAL(VECTOR_ELT(first, j));
    v_has[j] = LOGICAL(VECTOR_ELT(has, j));
    for (int i = 0; i < np; i++) {
      v_first[j][i] = NA_REAL;
      v_has[j][i] = FALSE;
    }
  }
  int unmatched = 0, batch[LOOKUP_BATCH], batch_from = 0, batch_to = 0;
  for (int start = 0; start < nr; start += SPR_CHUNK) {
    int stop = nr - start > SPR_CHUNK ? start + SPR_CHUNK : nr;
    for (int i = start; i < stop; i++) {
      if (i >= batch_to) {
        batch_from = i;
        batch_to = stop - i > LOOKUP_BATCH ? i + LOOKUP_BATCH : stop;
        index_find_batch(&ix, &rk, batch_from, batch_to, batch, v_first[0],
                         sizeof(double));
      }
      int o = v_outcome[i];
      if (o == NA_INTEGER || o < 1 || o > k) continue;
      double d = date_at(date_sexp, i);
      if (!ISNAN(d) && !ISNAN(censor) && d > censor) continue;
      int q = batch[i - batch_from];
      if (q < 0) {
        unmatched++;
        continue;
      }
      v_has[o - 1][q] = TRUE;
      if (!ISNAN(d) && (ISNAN(v_first[o - 1][q]) || d < v_first[o - 1][q]))
        v_first[o - 1][q] = d;
    }
    spr_progress_add(&p, stop - start);
  }
  spr_progress_done(&p);

  SEXP out = PROTECT(Rf_allocVector(VECSXP, 3)); nprot++;
  SET_VECTOR_ELT(out, 0, first);
  SET_VECTOR_ELT(out, 1, has);
  SET_VECTOR_ELT(out, 2, Rf_ScalarInteger(unmatched));
  UNPROTECT(nprot);
  return out;
}
