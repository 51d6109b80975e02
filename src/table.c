/*
 * table.c -- grouping rows once, then running every statistic over the groups.
 *
 * Grouping (spr_c_group): each `by` column is coded to dense ranks 1..k in
 * sort order with NA last: logicals and small-range integers and factors by
 * direct addressing (one pass, a presence table of the value range), other
 * integers, doubles and strings by open-addressing hashing of the values,
 * then sorting the k unique values only (strings in C-locale byte order of
 * their UTF-8 form, so the order is the same on every machine). Several
 * columns are combined pairwise: (a - 1) * kb + b is again coded to dense
 * ranks, directly when ka * kb is small and by hashing otherwise, which keeps
 * the lexicographic order. This is the counting-sort/hash idea behind
 * data.table's forder.c and collapse's GRP(), without sorting the rows: a
 * regional table needs group ids, not an ordering, and the ordering is built
 * (a counting sort of the ids, spr_c_group_order) only when a statistic asks.
 *
 * The engine (spr_c_table) runs a plan prepared by R/table.R: a list of
 * steps, each a registry entry with its resolved argument columns and
 * parameters. Reducing steps get the group index and the user's columns
 * (pointers to R's own vectors, never copies); deriving steps get earlier
 * group-level results. Kernels report problems through spreiding_error,
 * which becomes a classed R error here. R closures are run through a
 * callback into R/table.R. Results that are not finite become NA.
 */
#include "table.h"

#include <stdlib.h>

#include "progress.h"
#include "registry.h"

/* ---- hashing unique values ------------------------------------------------ */


/* Key of row i: returns 1 if the row is missing, else 0 and sets *key. */
typedef int (*key_fn)(const void *ctx, int i, uint64_t *key);

typedef struct {
  int k;           /* unique non-missing values */
  uint64_t *keys;  /* their keys, in order of first appearance */
  int any_na;
} uniques;

/* id[i] = 0-based index of row i's value among the uniques, -1 if missing. */
static void hash_rows(int n, const void *ctx, key_fn key, int *id, uniques *u,
                      spr_progress *p) {
  int cap = 1024, mask = 2 * cap - 1;
  int *slots = (int *)R_alloc((size_t)2 * cap, sizeof(int));
  memset(slots, -1, (size_t)2 * cap * sizeof(int));
  uint64_t *keys = (uint64_t *)R_alloc((size_t)cap, sizeof(uint64_t));
  int k = 0, any_na = 0;
  for (int start = 0; start < n; start += SPR_CHUNK) {
    int end = n - start > SPR_CHUNK ? start + SPR_CHUNK : n;
    for (int i = start; i < end; i++) {
      uint64_t v;
      if (key(ctx, i, &v)) {
        id[i] = -1;
        any_na = 1;
        continue;
      }
      size_t h = (size_t)(spr_mix64(v) & (uint64_t)mask);
      while (slots[h] >= 0 && keys[slots[h]] != v) h = (h + 1) & (size_t)mask;
      if (slots[h] < 0) {
        if (k == cap) { /* grow: keys double, slots rebuilt at load <= 1/2 */
          uint64_t *nk = (uint64_t *)R_alloc((size_t)2 * cap, sizeof(uint64_t));
          memcpy(nk, keys, (size_t)cap * sizeof(uint64_t));
          keys = nk;
          cap *= 2;
          mask = 2 * cap - 1;
          slots = (int *)R_alloc((size_t)2 * cap, sizeof(int));
          memset(slots, -1, (size_t)2 * cap * sizeof(int));
          for (int j = 0; j < k; j++) {
            size_t g = (size_t)(spr_mix64(keys[j]) & (uint64_t)mask);
            while (slots[g] >= 0) g = (g + 1) & (size_t)mask;
            slots[g] = j;
          }
          h = (size_t)(spr_mix64(v) & (uint64_t)mask);
          while (slots[h] >= 0) h = (h + 1) & (size_t)mask;
        }
        keys[k] = v;
        slots[h] = k++;
      }
      id[i] = slots[h];
    }
    spr_progress_add(p, end - start);
  }
  u->k = k;
  u->keys = keys;
  u->any_na = any_na;
}

/* Sorting the uniques: comparators read their context from here. */
static int sort_type;                /* 0 int, 1 double, 2 string, 3 uint64 */
static const uint64_t *sort_keys;
static const char **sort_strings;

static int cmp_unique(const void *pa, const void *pb) {
  int a = *(const int *)pa, b = *(const int *)pb;
  switch (sort_type) {
    case 0: {
      int x = (int)(int64_t)sort_keys[a], y = (int)(int64_t)sort_keys[b];
      return (x > y) - (x < y);
    }
    case 1: {
      double x, y;
      memcpy(&x, &sort_keys[a], sizeof x);
      memcpy(&y, &sort_keys[b], sizeof y);
      return (x > y) - (x < y);
    }
    case 2:
      return strcmp(sort_strings[a], sort_strings[b]);
    default:
      return (sort_keys[a] > sort_keys[b]) - (sort_keys[a] < sort_keys[b]);
  }
}

/* codes[i] = rank (1..k, NA -> k+1) from the ids of hash_rows(). */
static int ranks_from_ids(int n, int *codes, const uniques *u, int type) {
  int k = u->k;
  int *perm = (int *)R_alloc((size_t)k + 1, sizeof(int));
  int *rank = (int *)R_alloc((size_t)k + 1, sizeof(int));
  for (int j = 0; j < k; j++) perm[j] = j;
  sort_type = type;
  sort_keys = u->keys;
  if (type == 2) {
    sort_strings = (const char **)R_alloc((size_t)k + 1, sizeof(char *));
    for (int j = 0; j < k; j++)
      sort_strings[j] = Rf_translateCharUTF8((SEXP)(uintptr_t)u->keys[j]);
  }
  qsort(perm, (size_t)k, sizeof(int), cmp_unique);
  /* Equal UTF-8 text in different declared encodings is one group. */
  int r = 0;
  for (int j = 0; j < k; j++) {
    if (j == 0 || cmp_unique(&perm[j - 1], &perm[j]) != 0) r++;
    rank[perm[j]] = r;
  }
  for (int i = 0; i < n; i++) codes[i] = codes[i] < 0 ? r + 1 : rank[codes[i]];
  return r + (u->any_na ? 1 : 0);
}

/* ---- coding one column ----------------------------------------------------- */

static int key_int(const void *ctx, int i, uint64_t *key) {
  int v = ((const int *)ctx)[i];
  if (v == NA_INTEGER) return 1;
  *key = (uint64_t)(int64_t)v;
  return 0;
}

static int key_double(const void *ctx, int i, uint64_t *key) {
  double v = ((const double *)ctx)[i];
  if (ISNAN(v)) return 1;
  if (v == 0) v = 0; /* -0 and 0 are one group */
  memcpy(key, &v, sizeof v);
  return 0;
}

static int key_string(const void *ctx, int i, uint64_t *key) {
  SEXP s = STRING_ELT((SEXP)ctx, i);
  if (s == NA_STRING) return 1;
  *key = (uint64_t)(uintptr_t)s;
  return 0;
}

/* Dense ranks of values in [lo, hi] by direct addressing; NA -> k + 1. */
/* Dense ranks of values in [lo, hi] by direct addressing; NA -> k + 1.
 * With `size` non-NULL the first pass also counts each value's rows and
 * notes its first row, so the caller needs no pass of its own for them:
 * *size and *first then point to k (+1 for NA) counts and 1-based rows. */
static int code_direct_int(int n, const int *x, int lo, int hi, int *codes,
                           spr_progress *p, int **size, int **first) {
  size_t range = (size_t)((int64_t)hi - lo + 1);
  int *count = (int *)R_alloc(range, sizeof(int));
  int *row = size != NULL ? (int *)R_alloc(range, sizeof(int)) : NULL;
  memset(count, 0, range * sizeof(int));
  int n_na = 0, first_na = 0;
  for (int start = 0; start < n; start += SPR_CHUNK) {
    int end = n - start > SPR_CHUNK ? start + SPR_CHUNK : n;
    if (row == NULL) {
      for (int i = start; i < end; i++) {
        if (x[i] == NA_INTEGER)
          n_na = 1;
        else
          count[x[i] - lo] = 1;
      }
    } else {
      for (int i = start; i < end; i++) {
        if (x[i] == NA_INTEGER) {
          if (n_na++ == 0) first_na = i + 1;
        } else if (count[x[i] - lo]++ == 0) {
          row[x[i] - lo] = i + 1;
        }
      }
    }
    spr_progress_add(p, end - start);
  }
  int k = 0;
  for (size_t v = 0; v < range; v++)
    if (count[v]) k++;
  if (size != NULL) {
    *size = (int *)R_alloc((size_t)k + 1, sizeof(int));
    *first = (int *)R_alloc((size_t)k + 1, sizeof(int));
  }
  /* count[] becomes the rank of each value */
  int r = 0;
  for (size_t v = 0; v < range; v++) {
    if (!count[v]) continue;
    if (size != NULL) {
      (*size)[r] = count[v];
      (*first)[r] = row[v];
    }
    count[v] = ++r;
  }
  if (size != NULL && n_na > 0) {
    (*size)[k] = n_na;
    (*first)[k] = first_na;
  }
  for (int start = 0; start < n; start += SPR_CHUNK) {
    int end = n - start > SPR_CHUNK ? start + SPR_CHUNK : n;
    for (int i = start; i < end; i++)
      codes[i] = x[i] == NA_INTEGER ? k + 1 : count[x[i] - lo];
    spr_progress_add(p, end - start);
  }
  return k + (n_na > 0);
}

static int direct_limit(int n) { return n > (1 << 20) ? 2 * n : (1 << 21); }

/* Code column x (already checked: logical, integer, factor, double or
 * character, length n) into codes 1..k in sort order, NA last; returns k. */
static int code_column(SEXP x, int n, int *codes, spr_progress *p, int **size,
                       int **first) {
  if (size != NULL) *size = *first = NULL;
  switch (TYPEOF(x)) {
    case LGLSXP:
      return code_direct_int(n, LOGICAL(x), 0, 1, codes, p, size, first);
    case INTSXP: {
      const int *v = INTEGER(x);
      int lo = INT_MAX, hi = INT_MIN;
      for (int i = 0; i < n; i++)
        if (v[i] != NA_INTEGER) {
          if (v[i] < lo) lo = v[i];
          if (v[i] > hi) hi = v[i];
        }
      if (lo > hi) lo = hi = 0; /* all missing */
      if ((int64_t)hi - lo < direct_limit(n))
        return code_direct_int(n, v, lo, hi, codes, p, size, first);
      uniques u;
      hash_rows(n, v, key_int, codes, &u, p);
      return ranks_from_ids(n, codes, &u, 0);
    }
    case REALSXP: {
      uniques u;
      hash_rows(n, REAL(x), key_double, codes, &u, p);
      return ranks_from_ids(n, codes, &u, 1);
    }
    case STRSXP: {
      uniques u;
      hash_rows(n, x, key_string, codes, &u, p);
      return ranks_from_ids(n, codes, &u, 2);
    }
    default:
      SPR_INTERNAL("unexpected column type %s", Rf_type2char(TYPEOF(x)));
      return 0;
  }
}

/* Combine codes a (1..ka) with b (1..kb) into codes of the pairs, in place in
 * a; returns the number of distinct pairs. */
typedef struct {
  const int *a, *b;
  int kb;
} pair_ctx;

static int key_pair(const void *ctx, int i, uint64_t *key) {
  const pair_ctx *c = (const pair_ctx *)ctx;
  *key = (uint64_t)(c->a[i] - 1) * (uint64_t)c->kb + (uint64_t)(c->b[i] - 1);
  return 0;
}

static int combine_codes(int n, int *a, int ka, const int *b, int kb,
                         spr_progress *p) {
  int64_t kk = (int64_t)ka * kb;
  if (kk <= direct_limit(n)) {
    int *rank = (int *)R_alloc((size_t)kk, sizeof(int));
    memset(rank, 0, (size_t)kk * sizeof(int));
    for (int i = 0; i < n; i++) rank[(int64_t)(a[i] - 1) * kb + (b[i] - 1)] = 1;
    int k = 0;
    for (int64_t v = 0; v < kk; v++)
      if (rank[v]) rank[v] = ++k;
    for (int i = 0; i < n; i++) a[i] = rank[(int64_t)(a[i] - 1) * kb + (b[i] - 1)];
    spr_progress_add(p, n);
    return k;
  }
  pair_ctx ctx = {a, b, kb};
  int *id = (int *)R_alloc((size_t)n, sizeof(int));
  uniques u;
  hash_rows(n, &ctx, key_pair, id, &u, p);
  int k = ranks_from_ids(n, id, &u, 3);
  memcpy(a, id, (size_t)n * sizeof(int));
  return k;
}

/* ---- .Call: group ------------------------------------------------------------ */

/* cols_sexp: list of `by` columns (checked in R). Returns
 * list(group = 1-based group per row, size = rows per group,
 *      first = 1-based first row of each group), groups in sort order. */
SEXP spr_c_group(SEXP cols_sexp) {
  int ncol = (int)XLENGTH(cols_sexp);
  if (ncol < 1) SPR_INTERNAL("no grouping columns");
  R_xlen_t nx = XLENGTH(VECTOR_ELT(cols_sexp, 0));
  if (nx > INT_MAX - 1)
    spr_error("data", 0, "data has %.0f rows; region_table() handles at most "
              "%d rows", (double)nx, INT_MAX - 1);
  int n = (int)nx;
  for (int j = 0; j < ncol; j++) {
    SEXP x = VECTOR_ELT(cols_sexp, j);
    int t = TYPEOF(x);
    if (t != LGLSXP && t != INTSXP && t != REALSXP && t != STRSXP)
      spr_error("by", 0, "grouping column %d has type %s; expected integer, "
                "character, factor, logical or double", j + 1, Rf_type2char(t));
    if (XLENGTH(x) != n)
      spr_error("by", 0, "grouping column %d has %.0f rows, column 1 has %d",
                j + 1, (double)XLENGTH(x), n);
  }
  int nprot = 0;
  spr_progress p;
  PROTECT(spr_progress_start(&p, (double)n * (ncol + 1), "grouping rows")); nprot++;

  SEXP group = PROTECT(Rf_allocVector(INTSXP, n)); nprot++;
  int *v_group = INTEGER(group);
  int *sizes = NULL, *firsts = NULL;
  int ng = code_column(VECTOR_ELT(cols_sexp, 0), n, v_group, &p,
                       ncol == 1 ? &sizes : NULL, &firsts);
  if (ncol > 1) {
    int *codes = (int *)R_alloc((size_t)n, sizeof(int));
    for (int j = 1; j < ncol; j++) {
      int k = code_column(VECTOR_ELT(cols_sexp, j), n, codes, &p, NULL, NULL);
      ng = combine_codes(n, v_group, ng, codes, k, &p);
    }
  }
  SEXP size = PROTECT(Rf_allocVector(INTSXP, ng)); nprot++;
  SEXP first = PROTECT(Rf_allocVector(INTSXP, ng)); nprot++;
  int *v_size = INTEGER(size), *v_first = INTEGER(first);
  if (sizes != NULL) { /* counted while coding */
    memcpy(v_size, sizes, (size_t)ng * sizeof(int));
    memcpy(v_first, firsts, (size_t)ng * sizeof(int));
  } else {
    memset(v_size, 0, (size_t)ng * sizeof(int));
    for (int i = 0; i < n; i++) {
      int g = v_group[i] - 1;
      if (v_size[g]++ == 0) v_first[g] = i + 1;
    }
  }
  spr_progress_done(&p);

  SEXP out = PROTECT(Rf_allocVector(VECSXP, 3)); nprot++;
  SET_VECTOR_ELT(out, 0, group);
  SET_VECTOR_ELT(out, 1, size);
  SET_VECTOR_ELT(out, 2, first);
  SEXP nms = PROTECT(Rf_allocVector(STRSXP, 3)); nprot++;
  SET_STRING_ELT(nms, 0, Rf_mkChar("group"));
  SET_STRING_ELT(nms, 1, Rf_mkChar("size"));
  SET_STRING_ELT(nms, 2, Rf_mkChar("first"));
  Rf_setAttrib(out, R_NamesSymbol, nms);
  UNPROTECT(nprot);
  return out;
}

/* New group ids through map (old id -> new id, 1-based); returns
 * list(group, size) for ng new groups (some of them empty). */
SEXP spr_c_group_remap(SEXP group_sexp, SEXP map_sexp, SEXP ng_sexp) {
  if (TYPEOF(group_sexp) != INTSXP || TYPEOF(map_sexp) != INTSXP)
    SPR_INTERNAL("group and map must be integer vectors");
  int n = (int)XLENGTH(group_sexp), nold = (int)XLENGTH(map_sexp);
  int ng = Rf_asInteger(ng_sexp);
  if (ng == NA_INTEGER || ng < 0) SPR_INTERNAL("bad number of groups");
  const int *v_old = INTEGER(group_sexp), *v_map = INTEGER(map_sexp);
  for (int g = 0; g < nold; g++)
    if (v_map[g] < 1 || v_map[g] > ng) SPR_INTERNAL("bad group map at %d", g + 1);
  SEXP group = PROTECT(Rf_allocVector(INTSXP, n));
  SEXP size = PROTECT(Rf_allocVector(INTSXP, ng));
  int *v_group = INTEGER(group), *v_size = INTEGER(size);
  memset(v_size, 0, (size_t)ng * sizeof(int));
  for (int i = 0; i < n; i++) {
    int o = v_old[i];
    if (o < 1 || o > nold) SPR_INTERNAL("bad group id %d at row %d", o, i + 1);
    int g = v_map[o - 1];
    v_group[i] = g;
    v_size[g - 1]++;
  }
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
  SET_VECTOR_ELT(out, 0, group);
  SET_VECTOR_ELT(out, 1, size);
  UNPROTECT(3);
  return out;
}

/* Counting sort of rows by group: list(order, start), both 0-based. */
SEXP spr_c_group_order(SEXP group_sexp, SEXP ng_sexp) {
  if (TYPEOF(group_sexp) != INTSXP) SPR_INTERNAL("group must be an integer vector");
  int n = (int)XLENGTH(group_sexp), ng = Rf_asInteger(ng_sexp);
  if (ng == NA_INTEGER || ng < 0) SPR_INTERNAL("bad number of groups");
  const int *v_group = INTEGER(group_sexp);
  for (int i = 0; i < n; i++)
    if (v_group[i] < 1 || v_group[i] > ng)
      SPR_INTERNAL("bad group id %d at row %d", v_group[i], i + 1);
  SEXP order = PROTECT(Rf_allocVector(INTSXP, n));
  SEXP start = PROTECT(Rf_allocVector(INTSXP, ng));
  int *v_order = INTEGER(order), *v_start = INTEGER(start);
  int *next = (int *)R_alloc((size_t)ng + 1, sizeof(int));
  memset(next, 0, ((size_t)ng + 1) * sizeof(int));
  for (int i = 0; i < n; i++) next[v_group[i]]++;
  int acc = 0;
  for (int g = 0; g < ng; g++) {
    int c = next[g + 1];
    v_start[g] = acc;
    next[g + 1] = acc;
    acc += c;
  }
  for (int i = 0; i < n; i++) v_order[next[v_group[i]]++] = i;
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
  SET_VECTOR_ELT(out, 0, order);
  SET_VECTOR_ELT(out, 1, start);
  UNPROTECT(3);
  return out;
}

/* ---- .Call: the engine -------------------------------------------------------- */

/* Fields of a step (a list built by R/table.R). */
enum { STEP_ENTRY = 0, STEP_ARGS, STEP_PARAMS, STEP_LABEL, STEP_ARGNAMES };

static void raise_kernel_error(SEXP step, int status, const spreiding_error *err,
                               int reducing) {
  const char *label = CHAR(STRING_ELT(VECTOR_ELT(step, STEP_LABEL), 0));
  SEXP argnames = VECTOR_ELT(step, STEP_ARGNAMES);
  const char *argname = NULL;
  if (err->arg >= 1 && err->arg <= XLENGTH(argnames))
    argname = CHAR(STRING_ELT(argnames, err->arg - 1));
  if (status == SPREIDING_INTERRUPTED)
    spr_error(NULL, 0, "Statistic `%s` was interrupted by the user.", label);
  /* Name the row unless the kernel's message already does. */
  char where[128] = "", mention[64];
  snprintf(mention, sizeof mention, "%s %d", reducing ? "row" : "group",
           err->row);
  const char *at = strstr(err->message, mention);
  int mentioned = at != NULL && !(at[strlen(mention)] >= '0' &&
                                  at[strlen(mention)] <= '9');
  if (err->row > 0 && !mentioned)
    snprintf(where, sizeof where, " (%s)", mention);
  spr_error(argname != NULL ? argname : "...", reducing ? err->row : 0,
            "Statistic `%s` failed: %s%s.", label,
            err->message[0] ? err->message : "no message given", where);
}

/* The shapes spr_c_table() reads, checked at the boundary: R/table.R builds
 * them, so a failure here is an internal error, never a crash. (A C entry's
 * function pointer, in its raw vector, comes from the registry and cannot
 * be checked beyond its size.) */
static int is_int_or_null(SEXP x, R_xlen_t n) {
  return Rf_isNull(x) || (TYPEOF(x) == INTSXP && XLENGTH(x) == n);
}

static void check_table_args(SEXP groups_sexp, SEXP steps_sexp,
                             SEXP cols_sexp, SEXP seed_sexp,
                             SEXP runner_sexp) {
  if (TYPEOF(groups_sexp) != VECSXP || XLENGTH(groups_sexp) < 5)
    SPR_INTERNAL("groups must be list(n, group, size, order, start)");
  SEXP s_group = VECTOR_ELT(groups_sexp, 1), s_size = VECTOR_ELT(groups_sexp, 2);
  if (TYPEOF(s_group) != INTSXP || TYPEOF(s_size) != INTSXP)
    SPR_INTERNAL("group ids and sizes must be integer vectors");
  R_xlen_t n = XLENGTH(s_group), ng = XLENGTH(s_size);
  if (n > INT_MAX - 1 || ng > INT_MAX - 1) SPR_INTERNAL("too many rows");
  if (!is_int_or_null(VECTOR_ELT(groups_sexp, 3), n) ||
      !is_int_or_null(VECTOR_ELT(groups_sexp, 4), ng))
    SPR_INTERNAL("group order and starts must be NULL or integer vectors");
  const int *v_group = INTEGER(s_group);
  for (R_xlen_t i = 0; i < n; i++) {
    if (v_group[i] < 1 || v_group[i] > ng)
      SPR_INTERNAL("bad group id %d at row %.0f", v_group[i], (double)i + 1);
    if (i % SPR_CHUNK == SPR_CHUNK - 1) R_CheckUserInterrupt();
  }
  SEXP s_order = VECTOR_ELT(groups_sexp, 3), s_start = VECTOR_ELT(groups_sexp, 4);
  if (!Rf_isNull(s_order)) {
    const int *v_order = INTEGER(s_order);
    for (R_xlen_t i = 0; i < n; i++)
      if (v_order[i] < 0 || v_order[i] >= n) SPR_INTERNAL("bad group order");
  }
  if (!Rf_isNull(s_start)) {
    const int *v_start = INTEGER(s_start);
    for (R_xlen_t g = 0; g < ng; g++)
      if (v_start[g] < 0 || v_start[g] > n) SPR_INTERNAL("bad group start");
  }
  if (TYPEOF(cols_sexp) != VECSXP || TYPEOF(seed_sexp) != VECSXP ||
      TYPEOF(steps_sexp) != VECSXP)
    SPR_INTERNAL("steps, columns and seed must be lists");
  if (!Rf_isNull(runner_sexp) && !Rf_isFunction(runner_sexp))
    SPR_INTERNAL("runner must be a function");
  SEXP colnames = Rf_getAttrib(cols_sexp, R_NamesSymbol);
  if (!Rf_isNull(colnames) &&
      (TYPEOF(colnames) != STRSXP || XLENGTH(colnames) != XLENGTH(cols_sexp)))
    SPR_INTERNAL("column names must be a character vector");
  for (R_xlen_t s = 0; s < XLENGTH(steps_sexp); s++) {
    SEXP step = VECTOR_ELT(steps_sexp, s);
    if (TYPEOF(step) != VECSXP || XLENGTH(step) <= STEP_ARGNAMES)
      SPR_INTERNAL("step %.0f is not a step", (double)s + 1);
    SEXP entry = VECTOR_ELT(step, STEP_ENTRY);
    SEXP label = VECTOR_ELT(step, STEP_LABEL);
    if (TYPEOF(entry) != VECSXP || XLENGTH(entry) < SPR_E_NFIELDS ||
        TYPEOF(VECTOR_ELT(step, STEP_ARGS)) != INTSXP ||
        TYPEOF(VECTOR_ELT(step, STEP_PARAMS)) != REALSXP ||
        TYPEOF(label) != STRSXP || XLENGTH(label) < 1 ||
        TYPEOF(VECTOR_ELT(step, STEP_ARGNAMES)) != STRSXP)
      SPR_INTERNAL("step %.0f is malformed", (double)s + 1);
    SEXP kind = VECTOR_ELT(entry, SPR_E_KIND);
    SEXP impl = VECTOR_ELT(entry, SPR_E_IMPL);
    SEXP flags = VECTOR_ELT(entry, SPR_E_FLAGS);
    if (TYPEOF(VECTOR_ELT(entry, SPR_E_OUTPUTS)) != STRSXP ||
        TYPEOF(kind) != STRSXP || XLENGTH(kind) < 1 ||
        TYPEOF(flags) != INTSXP || XLENGTH(flags) < 1 ||
        !(Rf_isFunction(impl) ||
          (TYPEOF(impl) == RAWSXP && XLENGTH(impl) == sizeof(spr_impl))))
      SPR_INTERNAL("the registry entry of step %.0f is malformed", (double)s + 1);
    if (Rf_isFunction(impl) && !Rf_isFunction(runner_sexp))
      SPR_INTERNAL("an R statistic needs the runner");
  }
}

/* groups_sexp: list(n, group, size, order|NULL, start|NULL).
 * steps_sexp: the plan. cols_sexp: data columns referenced by reducing
 * steps (logical, integer or double). weights_sexp: double or NULL.
 * seed_sexp: group-level double columns available to deriving steps before
 * any statistic (from .regions). runner_sexp: R function(step, pool) that
 * runs an R-closure step and returns a list of double columns.
 * Returns the list of result columns of all steps, in order. */
SEXP spr_c_table(SEXP groups_sexp, SEXP steps_sexp, SEXP cols_sexp,
                 SEXP weights_sexp, SEXP seed_sexp, SEXP runner_sexp) {
  check_table_args(groups_sexp, steps_sexp, cols_sexp, seed_sexp, runner_sexp);
  int nprot = 0;
  spreiding_groups grp;
  SEXP s_group = VECTOR_ELT(groups_sexp, 1), s_size = VECTOR_ELT(groups_sexp, 2);
  SEXP s_order = VECTOR_ELT(groups_sexp, 3), s_start = VECTOR_ELT(groups_sexp, 4);
  grp.n = (int)XLENGTH(s_group);
  grp.ng = (int)XLENGTH(s_size);
  grp.group = INTEGER(s_group);
  grp.size = INTEGER(s_size);
  grp.order = Rf_isNull(s_order) ? NULL : INTEGER(s_order);
  grp.start = Rf_isNull(s_start) ? NULL : INTEGER(s_start);
  int ng = grp.ng;

  int ncols = (int)XLENGTH(cols_sexp);
  spreiding_column *cols =
      (spreiding_column *)R_alloc((size_t)ncols + 1, sizeof(spreiding_column));
  SEXP colnames = Rf_getAttrib(cols_sexp, R_NamesSymbol);
  for (int j = 0; j < ncols; j++) {
    SEXP x = VECTOR_ELT(cols_sexp, j);
    if (XLENGTH(x) != grp.n) SPR_INTERNAL("column %d has the wrong length", j + 1);
    if (TYPEOF(x) == INTSXP || TYPEOF(x) == LGLSXP) {
      cols[j].type = SPREIDING_INTEGER;
      cols[j].data = TYPEOF(x) == INTSXP ? (const void *)INTEGER(x)
                                         : (const void *)LOGICAL(x);
    } else if (TYPEOF(x) == REALSXP) {
      cols[j].type = SPREIDING_DOUBLE;
      cols[j].data = REAL(x);
    } else {
      SPR_INTERNAL("column %d has type %s", j + 1, Rf_type2char(TYPEOF(x)));
    }
    cols[j].name = Rf_isNull(colnames) ? "" : CHAR(STRING_ELT(colnames, j));
  }

  const double *weights = NULL;
  if (!Rf_isNull(weights_sexp)) {
    if (TYPEOF(weights_sexp) != REALSXP || XLENGTH(weights_sexp) != grp.n)
      SPR_INTERNAL("weights must be double of length n");
    weights = REAL(weights_sexp);
    for (int i = 0; i < grp.n; i++)
      if (!(weights[i] >= 0) || !R_FINITE(weights[i]))
        spr_error(".weights", i + 1, "weights must be non-negative and finite; "
                  "row %d has %g", i + 1, weights[i]);
  }

  int nsteps = (int)XLENGTH(steps_sexp), nseed = (int)XLENGTH(seed_sexp);
  int nout_total = 0;
  for (int s = 0; s < nsteps; s++) {
    SEXP entry = VECTOR_ELT(VECTOR_ELT(steps_sexp, s), STEP_ENTRY);
    nout_total += (int)XLENGTH(VECTOR_ELT(entry, SPR_E_OUTPUTS));
  }
  SEXP pool = PROTECT(Rf_allocVector(VECSXP, nseed + nout_total)); nprot++;
  for (int j = 0; j < nseed; j++) {
    SEXP x = VECTOR_ELT(seed_sexp, j);
    if (TYPEOF(x) != REALSXP || XLENGTH(x) != ng)
      SPR_INTERNAL("seed column %d must be double of length ng", j + 1);
    SET_VECTOR_ELT(pool, j, x);
  }
  SEXP make_int = PROTECT(Rf_allocVector(LGLSXP, nseed + nout_total)); nprot++;
  memset(LOGICAL(make_int), 0, (size_t)(nseed + nout_total) * sizeof(int));

  spr_progress p;
  PROTECT(spr_progress_start(&p, (double)grp.n * nsteps, "computing statistics"));
  nprot++;

  int filled = nseed;
  for (int s = 0; s < nsteps; s++) {
    SEXP step = VECTOR_ELT(steps_sexp, s);
    SEXP entry = VECTOR_ELT(step, STEP_ENTRY);
    SEXP s_args = VECTOR_ELT(step, STEP_ARGS);
    SEXP s_params = VECTOR_ELT(step, STEP_PARAMS);
    int nargs = (int)XLENGTH(s_args), nparams = (int)XLENGTH(s_params);
    int nout = (int)XLENGTH(VECTOR_ELT(entry, SPR_E_OUTPUTS));
    int reducing = strcmp(CHAR(STRING_ELT(VECTOR_ELT(entry, SPR_E_KIND), 0)),
                          "reducing") == 0;
    SEXP impl = VECTOR_ELT(entry, SPR_E_IMPL);
    const int *v_args = INTEGER(s_args);

    if (Rf_isFunction(impl)) { /* an R closure: back to R/table.R */
      SEXP s_index = PROTECT(Rf_ScalarInteger(s + 1));
      SEXP call = PROTECT(Rf_lang3(runner_sexp, s_index, pool));
      SEXP res = PROTECT(Rf_eval(call, R_GlobalEnv));
      if (TYPEOF(res) != VECSXP || XLENGTH(res) != nout)
        SPR_INTERNAL("R statistic runner returned a malformed result");
      for (int k = 0; k < nout; k++) SET_VECTOR_ELT(pool, filled + k, VECTOR_ELT(res, k));
      UNPROTECT(3);
      filled += nout;
      spr_progress_add(&p, grp.n);
      continue;
    }

    spr_impl fn;
    memcpy(&fn, RAW(impl), sizeof fn);
    unsigned flags = (unsigned)INTEGER(VECTOR_ELT(entry, SPR_E_FLAGS))[0];
    double **out = (double **)R_alloc((size_t)nout, sizeof(double *));
    for (int k = 0; k < nout; k++) {
      SEXP o = Rf_allocVector(REALSXP, ng);
      SET_VECTOR_ELT(pool, filled + k, o);
      out[k] = REAL(o);
      for (int g = 0; g < ng; g++) out[k][g] = NA_REAL;
    }
    spreiding_error err;
    memset(&err, 0, sizeof err);
    int status;
    if (reducing) {
      if ((flags & SPREIDING_NEEDS_ORDER) && grp.order == NULL)
        SPR_INTERNAL("statistic needs the group order but none was built");
      spreiding_column *a =
          (spreiding_column *)R_alloc((size_t)nargs + 1, sizeof(spreiding_column));
      int all_int = 1;
      for (int j = 0; j < nargs; j++) {
        if (v_args[j] < 1 || v_args[j] > ncols) SPR_INTERNAL("bad column index");
        a[j] = cols[v_args[j] - 1];
        if (a[j].type != SPREIDING_INTEGER) all_int = 0;
      }
      status = fn.reduce(&grp, a, nargs, weights, REAL(s_params), nparams, out,
                         nout, fn.data, &err);
      if (status == SPREIDING_OK && (flags & SPREIDING_INTEGER_RESULT) &&
          weights == NULL && all_int)
        for (int k = 0; k < nout; k++) LOGICAL(make_int)[filled + k] = 1;
    } else {
      const double **a = (const double **)R_alloc((size_t)nargs + 1, sizeof(double *));
      for (int j = 0; j < nargs; j++) {
        if (v_args[j] < 1 || v_args[j] > filled) SPR_INTERNAL("bad pool index");
        a[j] = REAL(VECTOR_ELT(pool, v_args[j] - 1));
      }
      status = fn.derive(ng, a, nargs, REAL(s_params), nparams, out, nout,
                         fn.data, &err);
    }
    if (status != SPREIDING_OK) {
      err.message[SPREIDING_MESSAGE_SIZE - 1] = '\0';
      spr_progress_done(&p);
      raise_kernel_error(step, status, &err, reducing);
    }
    for (int k = 0; k < nout; k++)
      for (int g = 0; g < ng; g++)
        if (!R_FINITE(out[k][g])) out[k][g] = NA_REAL;
    filled += nout;
    spr_progress_add(&p, reducing ? grp.n : 0);
  }
  spr_progress_done(&p);

  /* Whole-number results of integer statistics on integer data as integer. */
  SEXP res = PROTECT(Rf_allocVector(VECSXP, nout_total)); nprot++;
  for (int k = 0; k < nout_total; k++) {
    SEXP x = VECTOR_ELT(pool, nseed + k);
    if (LOGICAL(make_int)[nseed + k] && TYPEOF(x) == REALSXP) {
      const double *v = REAL(x);
      int ok = 1;
      for (int g = 0; g < ng && ok; g++)
        ok = ISNAN(v[g]) || (fabs(v[g]) < INT_MAX && v[g] == (double)(int)v[g]);
      if (ok) {
        SEXP y = PROTECT(Rf_allocVector(INTSXP, ng));
        for (int g = 0; g < ng; g++) INTEGER(y)[g] = ISNAN(v[g]) ? NA_INTEGER : (int)v[g];
        SET_VECTOR_ELT(res, k, y);
        UNPROTECT(1);
        continue;
      }
    }
    SET_VECTOR_ELT(res, k, x);
  }
  UNPROTECT(nprot);
  return res;
}
