/*
 * disclose.c -- statistical disclosure control of regional count tables.
 *
 * A table is a set of cells indexed by dimensions (region, sex, cohort).
 * Each dimension has levels (pc4, pc2, gemeente, ...) that roll up along
 * child -> parent edges into the dimension's total; a level may have several
 * parents (pc4 into gemeente and into AZW region: linked hierarchies). The
 * published table holds every combination of levels, so it has many
 * additive relations: each parent cell equals the sum of its children along
 * one edge of one dimension, all other coordinates fixed.
 *
 * spr_c_disclose_cells() builds all cells and relations from the finest
 * cells in one pass: every input row contributes to the prod(levels + 1)
 * cells above it, found through an open-addressing hash of the coordinate
 * tuples. Input rows keep their order as the first cells; the computed
 * totals follow, sorted by level and code. Relations come out in CSR form,
 * the total first in each.
 *
 * spr_c_disclose_protect() is the secondary suppression. The heuristic is
 * the classical one of hypercube-free singleton elimination (see Hundepool
 * et al. 2012, Statistical Disclosure Control, ch. 4.4 and 5.6): no relation
 * may keep exactly one suppressed cell. The complement is the published
 * cell of the relation that leaves the fewest relations with a lone
 * suppressed cell (a one-step look-ahead, so that suppressions close into
 * rectangles), zeros and the grand total last, then by a cost order fixed
 * in R (detailed before total, small before large, earlier row first),
 * which makes the result deterministic. It is followed by an audit
 * by interval propagation: the bounds an attacker derives for each
 * suppressed cell from all relations (published cells exact, counts
 * integer and >= 0, a primary cell within the bounds its rule implies) are
 * tightened until nothing changes. Propagated bounds enclose the exact
 * linear-programming bounds, so a primary cell whose propagated interval is
 * narrower than the protection level is certainly exposed; it gets one more
 * complement and the loop repeats. The exact check (linear programming,
 * R/disclose.R) can then name further cells through `force`.
 *
 * spr_c_disclose_moves() proves cells protected without linear
 * programming: a move of the hidden cells that keeps every relation and
 * bound and changes the cell is a witness (see the section on moves).
 *
 * spr_c_disclose_certify() gives every primary cell such a move (its
 * certificate), hiding published cells where none exists, and then
 * publishes again the complements no certificate needs (see the section on
 * certificates).
 *
 * spr_c_disclose_components() splits the suppressed cells into groups
 * linked by relations (union-find), so the exact audit solves small linear
 * programs instead of one per table.
 *
 * Everything allocated here comes from R_alloc (or is an R object), so the
 * interrupt checks in the long loops cannot leak.
 */
#include "disclose.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "registry.h"

/* ---- building cells and relations -------------------------------------- */

typedef struct {
  int ndim;
  int *lev;   /* ncell x ndim: level index per dimension (nlev[d] = total) */
  int *code;  /* ncell x ndim: 1-based code, 0 at the total                */
  int ncell, cap;
  int *slots; /* hash table of cell ids + 1, 0 = empty                     */
  uint64_t mask;
} cellset;

static uint64_t tuple_hash(const int *lev, const int *code, int ndim) {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (int d = 0; d < ndim; d++) {
    h = spr_mix64(h ^ ((uint64_t)(uint32_t)lev[d] << 32 ^ (uint32_t)code[d]));
  }
  return h;
}

/* The id of the cell with these coordinates, adding it when `add`; -1 when
 * absent and not added. */
static int cell_find(cellset *s, const int *lev, const int *code, int add) {
  int nd = s->ndim;
  uint64_t h = tuple_hash(lev, code, nd) & s->mask;
  for (;;) {
    int id = s->slots[h] - 1;
    if (id < 0) break;
    if (memcmp(s->lev + (size_t)id * nd, lev, nd * sizeof(int)) == 0 &&
        memcmp(s->code + (size_t)id * nd, code, nd * sizeof(int)) == 0)
      return id;
    h = (h + 1) & s->mask;
  }
  if (!add) return -1;
  if (s->ncell >= s->cap) SPR_INTERNAL("cell table full (%d cells)", s->cap);
  int id = s->ncell++;
  memcpy(s->lev + (size_t)id * nd, lev, nd * sizeof(int));
  memcpy(s->code + (size_t)id * nd, code, nd * sizeof(int));
  s->slots[h] = id + 1;
  return id;
}

/* Sorting computed cells by (levels, codes), dimension by dimension. */
static const cellset *sort_set;
static int cmp_cells(const void *a, const void *b) {
  int i = *(const int *)a, j = *(const int *)b, nd = sort_set->ndim;
  const int *li = sort_set->lev + (size_t)i * nd, *lj = sort_set->lev + (size_t)j * nd;
  for (int d = 0; d < nd; d++)
    if (li[d] != lj[d]) return li[d] < lj[d] ? -1 : 1;
  const int *ci = sort_set->code + (size_t)i * nd, *cj = sort_set->code + (size_t)j * nd;
  for (int d = 0; d < nd; d++)
    if (ci[d] != cj[d]) return ci[d] < cj[d] ? -1 : 1;
  return 0;
}

typedef struct {
  int nlev;
  const int **codes;     /* nlev columns of n codes                 */
  const int *ncodes;     /* nlev                                   */
  int *nparent;          /* nlev                                   */
  const int **parent;    /* nlev arrays: parent level or -1 (total) */
  const int ***map;      /* [l][k]: ncodes[l] parent codes          */
} dimdef;

static void read_dims(SEXP dims_sexp, int n, dimdef *dims, int ndim) {
  for (int d = 0; d < ndim; d++) {
    SEXP dim = VECTOR_ELT(dims_sexp, d);
    if (TYPEOF(dim) != VECSXP || XLENGTH(dim) < 4)
      SPR_INTERNAL("dimension %d is malformed", d + 1);
    SEXP codes = VECTOR_ELT(dim, 0), ncodes = VECTOR_ELT(dim, 1);
    SEXP parents = VECTOR_ELT(dim, 2), maps = VECTOR_ELT(dim, 3);
    int nlev = (int)XLENGTH(codes);
    if (nlev < 1 || TYPEOF(codes) != VECSXP || TYPEOF(ncodes) != INTSXP ||
        TYPEOF(parents) != VECSXP || TYPEOF(maps) != VECSXP ||
        XLENGTH(ncodes) != nlev || XLENGTH(parents) != nlev ||
        XLENGTH(maps) != nlev)
      SPR_INTERNAL("dimension %d is malformed", d + 1);
    dimdef *p_dim = dims + d;
    p_dim->nlev = nlev;
    p_dim->codes = (const int **)R_alloc(nlev, sizeof(int *));
    p_dim->ncodes = INTEGER(ncodes);
    p_dim->nparent = (int *)R_alloc(nlev, sizeof(int));
    p_dim->parent = (const int **)R_alloc(nlev, sizeof(int *));
    p_dim->map = (const int ***)R_alloc(nlev, sizeof(int **));
    for (int l = 0; l < nlev; l++) {
      SEXP cl = VECTOR_ELT(codes, l), pl = VECTOR_ELT(parents, l);
      SEXP ml = VECTOR_ELT(maps, l);
      if (TYPEOF(cl) != INTSXP || XLENGTH(cl) != n || TYPEOF(pl) != INTSXP ||
          TYPEOF(ml) != VECSXP || XLENGTH(ml) != XLENGTH(pl))
        SPR_INTERNAL("dimension %d, level %d is malformed", d + 1, l + 1);
      p_dim->codes[l] = INTEGER(cl);
      int np = (int)XLENGTH(pl);
      p_dim->nparent[l] = np;
      p_dim->parent[l] = INTEGER(pl);
      p_dim->map[l] = (const int **)R_alloc(np > 0 ? np : 1, sizeof(int *));
      for (int k = 0; k < np; k++) {
        int pk = INTEGER(pl)[k];
        if (pk < -1 || pk >= nlev || pk == l)
          SPR_INTERNAL("dimension %d, level %d: bad parent %d", d + 1, l + 1, pk);
        SEXP mk = VECTOR_ELT(ml, k);
        if (pk >= 0 && (TYPEOF(mk) != INTSXP ||
                        XLENGTH(mk) != p_dim->ncodes[l]))
          SPR_INTERNAL("dimension %d, level %d: bad code map", d + 1, l + 1);
        p_dim->map[l][k] = pk >= 0 ? INTEGER(mk) : NULL;
      }
      const int *v_code = p_dim->codes[l];
      for (int i = 0; i < n; i++)
        if (v_code[i] < 1 || v_code[i] > p_dim->ncodes[l])
          SPR_INTERNAL("dimension %d, level %d: code out of range in row %d",
                       d + 1, l + 1, i + 1);
    }
  }
}

SEXP spr_c_disclose_cells(SEXP dims_sexp, SEXP counts_sexp, SEXP maxes_sexp) {
  int ndim = (int)XLENGTH(dims_sexp), ncount = (int)XLENGTH(counts_sexp);
  int nmax = (int)XLENGTH(maxes_sexp);
  if (ndim < 1 || ncount < 1) SPR_INTERNAL("no dimensions or no counts");
  int n = (int)XLENGTH(VECTOR_ELT(counts_sexp, 0));
  const double **v_count = (const double **)R_alloc(ncount, sizeof(double *));
  for (int k = 0; k < ncount; k++) {
    SEXP x = VECTOR_ELT(counts_sexp, k);
    if (TYPEOF(x) != REALSXP || XLENGTH(x) != n)
      SPR_INTERNAL("count %d is not a double vector of length %d", k + 1, n);
    v_count[k] = REAL(x);
  }
  const double **v_max = (const double **)R_alloc(nmax > 0 ? nmax : 1,
                                                  sizeof(double *));
  for (int k = 0; k < nmax; k++) {
    SEXP x = VECTOR_ELT(maxes_sexp, k);
    if (TYPEOF(x) != REALSXP || XLENGTH(x) != n)
      SPR_INTERNAL("max column %d is not a double vector of length %d", k + 1, n);
    v_max[k] = REAL(x);
  }
  dimdef *dims = (dimdef *)R_alloc(ndim, sizeof(dimdef));
  read_dims(dims_sexp, n, dims, ndim);

  /* Every row feeds prod(nlev + 1) cells. */
  double per_row = 1;
  for (int d = 0; d < ndim; d++) per_row *= dims[d].nlev + 1;
  double bound = per_row * (n > 0 ? n : 1);
  if (bound > 1e8)
    spr_error("table", 0, "the table would have up to %.0f cells with all its "
              "totals; that is more than spreiding handles (100 million)",
              bound);
  cellset s;
  s.ndim = ndim;
  s.cap = (int)bound;
  s.ncell = 0;
  s.lev = (int *)R_alloc((size_t)s.cap * ndim, sizeof(int));
  s.code = (int *)R_alloc((size_t)s.cap * ndim, sizeof(int));
  uint64_t size = 16;
  while (size < 2 * (uint64_t)s.cap) size <<= 1;
  s.mask = size - 1;
  s.slots = (int *)R_alloc(size, sizeof(int));
  memset(s.slots, 0, size * sizeof(int));

  int *lev = (int *)R_alloc(ndim, sizeof(int));
  int *code = (int *)R_alloc(ndim, sizeof(int));
  /* The finest cells first, one per input row, in input order. */
  for (int i = 0; i < n; i++) {
    for (int d = 0; d < ndim; d++) {
      lev[d] = 0;
      code[d] = dims[d].codes[0][i];
    }
    int id = cell_find(&s, lev, code, 1);
    if (id != i)
      spr_error("table", i + 1, "rows %d and %d are the same cell (same "
                "values in every dimension column); aggregate them first",
                id + 1, i + 1);
    if ((i + 1) % 1024 == 0) R_CheckUserInterrupt();
  }
  /* Then every combination of levels above each row. */
  int *row_cell = (int *)R_alloc((size_t)n * (size_t)per_row, sizeof(int));
  int ncomb = (int)per_row;
  for (int i = 0; i < n; i++) {
    for (int d = 0; d < ndim; d++) lev[d] = 0;
    for (int c = 0; c < ncomb; c++) {
      for (int d = 0; d < ndim; d++)
        code[d] = lev[d] < dims[d].nlev ? dims[d].codes[lev[d]][i] : 0;
      row_cell[(size_t)i * ncomb + c] = cell_find(&s, lev, code, 1);
      for (int d = 0; d < ndim; d++) { /* next combination, mixed radix */
        if (++lev[d] <= dims[d].nlev) break;
        lev[d] = 0;
      }
    }
    if ((i + 1) % 1024 == 0) R_CheckUserInterrupt();
  }
  int ncell = s.ncell;

  /* Computed cells sorted; perm[new] = old, inv[old] = new. */
  int *perm = (int *)R_alloc(ncell, sizeof(int));
  int *inv = (int *)R_alloc(ncell, sizeof(int));
  for (int j = 0; j < ncell; j++) perm[j] = j;
  sort_set = &s;
  if (ncell > n) qsort(perm + n, ncell - n, sizeof(int), cmp_cells);
  sort_set = NULL;
  for (int j = 0; j < ncell; j++) inv[perm[j]] = j;

  int nprot = 0;
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 7));
  nprot++;
  SEXP levs = Rf_allocMatrix(INTSXP, ncell, ndim);
  SET_VECTOR_ELT(out, 0, levs);
  SEXP codes = Rf_allocMatrix(INTSXP, ncell, ndim);
  SET_VECTOR_ELT(out, 1, codes);
  int *v_levs = INTEGER(levs), *v_codes = INTEGER(codes);
  for (int j = 0; j < ncell; j++) {
    int o = perm[j];
    for (int d = 0; d < ndim; d++) {
      v_levs[j + (size_t)d * ncell] = s.lev[(size_t)o * ndim + d];
      v_codes[j + (size_t)d * ncell] = s.code[(size_t)o * ndim + d];
    }
  }
  SEXP values = Rf_allocMatrix(REALSXP, ncell, ncount);
  SET_VECTOR_ELT(out, 2, values);
  double *v_values = REAL(values);
  memset(v_values, 0, (size_t)ncell * ncount * sizeof(double));
  SEXP maxes = Rf_allocMatrix(REALSXP, ncell, nmax);
  SET_VECTOR_ELT(out, 6, maxes);
  double *v_maxes = REAL(maxes);
  for (size_t m = 0; m < (size_t)ncell * nmax; m++) v_maxes[m] = R_NegInf;
  for (int i = 0; i < n; i++) {
    for (int c = 0; c < ncomb; c++) {
      int j = inv[row_cell[(size_t)i * ncomb + c]];
      for (int k = 0; k < ncount; k++)
        v_values[j + (size_t)k * ncell] += v_count[k][i];
      for (int k = 0; k < nmax; k++) {
        double *p_m = v_maxes + j + (size_t)k * ncell;
        if (v_max[k][i] > *p_m) *p_m = v_max[k][i];
      }
    }
  }

  /* Relations: (parent cell, dimension, child level) -> parent + children.
   * First pass numbers them and counts members; second fills. */
  double rbound = (double)ncell * ndim * 4 + 16;
  uint64_t rsize = 16;
  while (rsize < 2 * (uint64_t)rbound) rsize <<= 1;
  int *rslots = (int *)R_alloc(rsize, sizeof(int));
  memset(rslots, 0, rsize * sizeof(int));
  int rcap = (int)rbound;
  int *rkey = (int *)R_alloc((size_t)rcap * 3, sizeof(int));
  int *rsize_of = (int *)R_alloc(rcap, sizeof(int));
  int nrel = 0;
  size_t nmember = 0;
  for (int pass = 0; pass < 2; pass++) {
    int *rfill = NULL, *v_ptr = NULL, *v_member = NULL;
    if (pass == 1) {
      SEXP ptr = Rf_allocVector(INTSXP, nrel + 1);
      SET_VECTOR_ELT(out, 3, ptr);
      v_ptr = INTEGER(ptr);
      v_ptr[0] = 0;
      for (int r = 0; r < nrel; r++) v_ptr[r + 1] = v_ptr[r] + rsize_of[r] + 1;
      if ((double)v_ptr[nrel] != (double)nmember + nrel)
        SPR_INTERNAL("relation sizes disagree");
      SEXP member = Rf_allocVector(INTSXP, v_ptr[nrel]);
      SET_VECTOR_ELT(out, 4, member);
      v_member = INTEGER(member);
      SEXP rdim = Rf_allocVector(INTSXP, nrel);
      SET_VECTOR_ELT(out, 5, rdim);
      rfill = (int *)R_alloc(nrel > 0 ? nrel : 1, sizeof(int));
      for (int r = 0; r < nrel; r++) {
        v_member[v_ptr[r]] = rkey[3 * r] + 1; /* the total, 1-based */
        INTEGER(rdim)[r] = rkey[3 * r + 1] + 1;
        rfill[r] = v_ptr[r] + 1;
      }
    }
    for (int j = 0; j < ncell; j++) {
      for (int d = 0; d < ndim; d++) {
        lev[d] = v_levs[j + (size_t)d * ncell];
        code[d] = v_codes[j + (size_t)d * ncell];
      }
      for (int d = 0; d < ndim; d++) {
        int l = lev[d], c = code[d];
        if (l >= dims[d].nlev) continue;
        for (int k = 0; k < dims[d].nparent[l]; k++) {
          int pl = dims[d].parent[l][k];
          lev[d] = pl < 0 ? dims[d].nlev : pl;
          code[d] = pl < 0 ? 0 : dims[d].map[l][k][c - 1];
          int old = cell_find(&s, lev, code, 0);
          lev[d] = l;
          code[d] = c;
          if (old < 0) SPR_INTERNAL("parent cell of cell %d not found", j + 1);
          int parent = inv[old];
          uint64_t h = spr_mix64(((uint64_t)(uint32_t)parent << 32) ^
                                 ((uint64_t)d << 16) ^ (uint64_t)l) & (rsize - 1);
          int r;
          for (;;) {
            r = rslots[h] - 1;
            if (r < 0 || (rkey[3 * r] == parent && rkey[3 * r + 1] == d &&
                          rkey[3 * r + 2] == l))
              break;
            h = (h + 1) & (rsize - 1);
          }
          if (r < 0) {
            if (pass == 1) SPR_INTERNAL("relation not found in second pass");
            if (nrel >= rcap) SPR_INTERNAL("relation table full");
            r = nrel++;
            rkey[3 * r] = parent;
            rkey[3 * r + 1] = d;
            rkey[3 * r + 2] = l;
            rsize_of[r] = 0;
            rslots[h] = r + 1;
          }
          if (pass == 0) {
            rsize_of[r]++;
            nmember++;
          } else {
            v_member[rfill[r]++] = j + 1;
          }
        }
      }
      if ((j + 1) % 4096 == 0) R_CheckUserInterrupt();
    }
  }
  UNPROTECT(nprot);
  return out;
}

/* ---- secondary suppression --------------------------------------------- */

typedef struct {
  int ncell, nrel;
  const int *ptr;    /* nrel + 1 */
  const int *member; /* 1-based cells, total first */
  int *cptr;         /* ncell + 1: relations of each cell */
  int *crel;
} relset;

static void relset_init(relset *p_rel, SEXP ptr_sexp, SEXP member_sexp,
                        int ncell) {
  p_rel->ncell = ncell;
  p_rel->nrel = (int)XLENGTH(ptr_sexp) - 1;
  p_rel->ptr = INTEGER(ptr_sexp);
  p_rel->member = INTEGER(member_sexp);
  int nrel = p_rel->nrel;
  if (nrel < 0 || p_rel->ptr[nrel] != XLENGTH(member_sexp))
    SPR_INTERNAL("relations are malformed");
  for (R_xlen_t m = 0; m < XLENGTH(member_sexp); m++)
    if (p_rel->member[m] < 1 || p_rel->member[m] > ncell)
      SPR_INTERNAL("relation member %d out of range", p_rel->member[m]);
  p_rel->cptr = (int *)R_alloc((size_t)ncell + 1, sizeof(int));
  memset(p_rel->cptr, 0, ((size_t)ncell + 1) * sizeof(int));
  for (int m = 0; m < p_rel->ptr[nrel]; m++) p_rel->cptr[p_rel->member[m]]++;
  for (int j = 0; j < ncell; j++) p_rel->cptr[j + 1] += p_rel->cptr[j];
  p_rel->crel = (int *)R_alloc(p_rel->ptr[nrel] > 0 ? p_rel->ptr[nrel] : 1,
                               sizeof(int));
  int *fill = (int *)R_alloc((size_t)ncell + 1, sizeof(int));
  memcpy(fill, p_rel->cptr, ((size_t)ncell + 1) * sizeof(int));
  for (int r = 0; r < nrel; r++)
    for (int m = p_rel->ptr[r]; m < p_rel->ptr[r + 1]; m++)
      p_rel->crel[fill[p_rel->member[m] - 1]++] = r;
}

/* A FIFO of relations with a membership flag, so each is queued once. */
typedef struct {
  int *q, head, tail, cap;
  char *in;
} relqueue;

static void queue_init(relqueue *p_q, int nrel) {
  p_q->cap = nrel + 1;
  p_q->q = (int *)R_alloc(p_q->cap, sizeof(int));
  p_q->in = (char *)R_alloc(p_q->cap, 1);
  memset(p_q->in, 0, p_q->cap);
  p_q->head = p_q->tail = 0;
}
static void queue_push(relqueue *p_q, int r) {
  if (p_q->in[r]) return;
  p_q->in[r] = 1;
  p_q->q[p_q->tail] = r;
  p_q->tail = (p_q->tail + 1) % p_q->cap;
}
static int queue_pop(relqueue *p_q) {
  if (p_q->head == p_q->tail) return -1;
  int r = p_q->q[p_q->head];
  p_q->head = (p_q->head + 1) % p_q->cap;
  p_q->in[r] = 0;
  return r;
}
static void push_relations_of(relqueue *p_q, const relset *p_rel, int cell) {
  for (int k = p_rel->cptr[cell]; k < p_rel->cptr[cell + 1]; k++)
    queue_push(p_q, p_rel->crel[k]);
}

/* How many relations a new suppression at c leaves needing a complement,
 * minus how many it completes: a relation with no hidden cell gets a lone
 * one (+1), a relation with one gets its second (-1). Complements with the
 * lowest score close two gaps at once, the way a rectangle of four hidden
 * cells protects all four. */
static int lookahead(const relset *p_rel, const int *nsup, int c) {
  int score = 0;
  for (int k = p_rel->cptr[c]; k < p_rel->cptr[c + 1]; k++) {
    int n = nsup[p_rel->crel[k]];
    score += n == 0 ? 1 : (n == 1 ? -1 : 0);
  }
  return score;
}

/* Is y a better complement than best (-1: none yet)? The tier comes first
 * (see spr_c_disclose_protect()), then the look-ahead score, then the
 * priority. */
static int better(const relset *p_rel, const int *nsup, const int *priority,
                  const int *tier, int y, int best, int *best_score) {
  int sy = lookahead(p_rel, nsup, y);
  if (best < 0) {
    *best_score = sy;
    return 1;
  }
  if (tier[y] != tier[best]) {
    if (tier[y] > tier[best]) return 0;
    *best_score = sy;
    return 1;
  }
  if (sy < *best_score || (sy == *best_score && priority[y] < priority[best])) {
    *best_score = sy;
    return 1;
  }
  return 0;
}

/* Hide cell c as a complement and count it in its relations. */
static void hide(const relset *p_rel, int *status, int *nsup, int c) {
  status[c] = 2;
  for (int k = p_rel->cptr[c]; k < p_rel->cptr[c + 1]; k++)
    nsup[p_rel->crel[k]]++;
}

/* The best published member of relation r (0-based cell), or -1. */
static int cheapest_in(const relset *p_rel, int r, const int *status,
                       const int *nsup, const int *priority,
                       const int *tier) {
  int best = -1, best_score = 0;
  for (int m = p_rel->ptr[r]; m < p_rel->ptr[r + 1]; m++) {
    int c = p_rel->member[m] - 1;
    if (status[c] == 0 && better(p_rel, nsup, priority, tier, c, best, &best_score))
      best = c;
  }
  return best;
}

/* Singleton elimination until no relation has exactly one suppressed cell.
 * Returns the number of cells added. */
static int eliminate_singletons(const relset *p_rel, int *status, int *nsup,
                                const int *priority, const int *tier,
                                relqueue *p_q) {
  int added = 0, visits = 0;
  for (int r = 0; r < p_rel->nrel; r++) queue_push(p_q, r);
  for (int r; (r = queue_pop(p_q)) >= 0;) {
    if (nsup[r] == 1) {
      int c = cheapest_in(p_rel, r, status, nsup, priority, tier);
      if (c >= 0) {
        hide(p_rel, status, nsup, c);
        added++;
        push_relations_of(p_q, p_rel, c);
      }
    }
    if (++visits % 1024 == 0) R_CheckUserInterrupt();
  }
  return added;
}

/* Interval propagation over the relations (total = sum of parts). lo/hi
 * hold the attacker's bounds of each cell: published cells exact. */
static void propagate(const relset *p_rel, const int *status,
                      const double *value, const double *lo0,
                      const double *hi0, double *lo, double *hi,
                      relqueue *p_q) {
  int ncell = p_rel->ncell;
  for (int j = 0; j < ncell; j++) {
    if (status[j] == 0) {
      lo[j] = hi[j] = value[j];
    } else {
      lo[j] = lo0[j];
      hi[j] = hi0[j];
    }
  }
  for (int r = 0; r < p_rel->nrel; r++) {
    int any = 0;
    for (int m = p_rel->ptr[r]; m < p_rel->ptr[r + 1] && !any; m++)
      any = status[p_rel->member[m] - 1] != 0;
    if (any) queue_push(p_q, r);
  }
  /* Bounds only shrink and every change moves a bound by at least 1 (they
   * are rounded to integers), so this ends; the cap is a guard only. */
  double budget = 50.0 * p_rel->nrel + 1e5;
  int visits = 0;
  for (int r; (r = queue_pop(p_q)) >= 0;) {
    if (--budget < 0) {
      while (queue_pop(p_q) >= 0) {
      }
      break;
    }
    int a = p_rel->ptr[r], b = p_rel->ptr[r + 1];
    int t = p_rel->member[a] - 1;
    double slo = 0, shi = 0;
    int ninf = 0;
    for (int m = a + 1; m < b; m++) {
      int c = p_rel->member[m] - 1;
      slo += lo[c];
      if (R_FINITE(hi[c])) shi += hi[c]; else ninf++;
    }
    /* the total */
    if (status[t] != 0) {
      double nl = ceil(slo), nh = ninf ? R_PosInf : floor(shi);
      int changed = 0;
      if (nl > lo[t]) { lo[t] = nl; changed = 1; }
      if (nh < hi[t]) { hi[t] = nh; changed = 1; }
      if (changed) push_relations_of(p_q, p_rel, t);
    }
    /* each part: total minus the other parts */
    for (int m = a + 1; m < b; m++) {
      int c = p_rel->member[m] - 1;
      if (status[c] == 0) continue;
      int changed = 0;
      int other_inf = ninf - (R_FINITE(hi[c]) ? 0 : 1);
      if (other_inf == 0) {
        double other_hi = shi - (R_FINITE(hi[c]) ? hi[c] : 0);
        double nl = ceil(lo[t] - other_hi);
        if (nl > lo[c]) { lo[c] = nl; changed = 1; }
      }
      if (R_FINITE(hi[t])) {
        double nh = floor(hi[t] - (slo - lo[c]));
        if (nh < hi[c]) { hi[c] = nh; changed = 1; }
      }
      if (changed) {
        push_relations_of(p_q, p_rel, c);
        /* the bounds just used for the other parts are now stale */
        slo = 0; shi = 0; ninf = 0;
        for (int k = a + 1; k < b; k++) {
          int e = p_rel->member[k] - 1;
          slo += lo[e];
          if (R_FINITE(hi[e])) shi += hi[e]; else ninf++;
        }
      }
    }
    if (++visits % 1024 == 0) R_CheckUserInterrupt();
  }
}

/* Scratch for complement_for(): stamps mark the cells and relations seen
 * in the current search, so nothing is cleared between searches. */
typedef struct {
  int stamp;
  int *cell_seen, *rel_seen; /* ncell, nrel */
  int *frontier, *next;      /* ncell each */
} search_space;

static void search_init(search_space *p_s, int ncell, int nrel) {
  p_s->stamp = 0;
  p_s->cell_seen = (int *)R_alloc(ncell > 0 ? ncell : 1, sizeof(int));
  p_s->rel_seen = (int *)R_alloc(nrel > 0 ? nrel : 1, sizeof(int));
  p_s->frontier = (int *)R_alloc(ncell > 0 ? ncell : 1, sizeof(int));
  p_s->next = (int *)R_alloc(ncell > 0 ? ncell : 1, sizeof(int));
  memset(p_s->cell_seen, 0, (ncell > 0 ? ncell : 1) * sizeof(int));
  memset(p_s->rel_seen, 0, (nrel > 0 ? nrel : 1) * sizeof(int));
}

/* Add a complement for the exposed cell c: the cheapest published cell of
 * its relations; when they hold none, of the relations one suppressed cell
 * further away, and so on (what pins c down may be a published total two
 * relations off, as in linked hierarchies). Returns the cell or -1 when
 * every cell linked to c is suppressed already. */
static int complement_for(const relset *p_rel, int c, int *status, int *nsup,
                          const int *priority, const int *tier,
                          search_space *p_s) {
  int stamp = ++p_s->stamp;
  int nfront = 1, best = -1, best_score = 0;
  p_s->frontier[0] = c;
  p_s->cell_seen[c] = stamp;
  while (nfront > 0 && best < 0) {
    int nnext = 0;
    for (int f = 0; f < nfront; f++) {
      int x = p_s->frontier[f];
      for (int k = p_rel->cptr[x]; k < p_rel->cptr[x + 1]; k++) {
        int r = p_rel->crel[k];
        if (p_s->rel_seen[r] == stamp) continue;
        p_s->rel_seen[r] = stamp;
        for (int m = p_rel->ptr[r]; m < p_rel->ptr[r + 1]; m++) {
          int y = p_rel->member[m] - 1;
          if (status[y] == 0) {
            if (better(p_rel, nsup, priority, tier, y, best, &best_score)) best = y;
          } else if (p_s->cell_seen[y] != stamp) {
            p_s->cell_seen[y] = stamp;
            p_s->next[nnext++] = y;
          }
        }
      }
    }
    int *tmp = p_s->frontier;
    p_s->frontier = p_s->next;
    p_s->next = tmp;
    nfront = nnext;
  }
  if (best >= 0) hide(p_rel, status, nsup, best);
  return best;
}

static double *real_arg(SEXP x, int n, const char *what) {
  if (TYPEOF(x) != REALSXP || XLENGTH(x) != n)
    SPR_INTERNAL("`%s` must be a double vector of length %d", what, n);
  return REAL(x);
}

static int *int_arg(SEXP x, int n, const char *what) {
  if (TYPEOF(x) != INTSXP || (n >= 0 && XLENGTH(x) != n))
    SPR_INTERNAL("`%s` must be an integer vector of length %d", what, n);
  return INTEGER(x);
}

/* The cell arguments of spr_c_disclose_protect() and
 * spr_c_disclose_certify(). Complements are chosen from the lowest tier
 * first: 0 for most cells, 1 for the grand total, 2 for a cell at the lower
 * end of its bounds (a zero), which can move one way only and so cannot
 * protect a cell that is at its own lower end. */
typedef struct {
  int ncell;
  relset rel;
  const double *value, *lo0, *hi0;
  const int *status0, *priority, *tier;
} cell_args;

static void cell_args_read(cell_args *p_a, SEXP ptr_sexp, SEXP member_sexp,
                           SEXP value_sexp, SEXP status_sexp,
                           SEXP priority_sexp, SEXP tier_sexp, SEXP lo0_sexp,
                           SEXP hi0_sexp) {
  int ncell = (int)XLENGTH(status_sexp);
  p_a->ncell = ncell;
  relset_init(&p_a->rel, ptr_sexp, member_sexp, ncell);
  p_a->value = real_arg(value_sexp, ncell, "value");
  p_a->status0 = int_arg(status_sexp, ncell, "status");
  p_a->priority = int_arg(priority_sexp, ncell, "priority");
  p_a->tier = int_arg(tier_sexp, ncell, "tier");
  p_a->lo0 = real_arg(lo0_sexp, ncell, "lo0");
  p_a->hi0 = real_arg(hi0_sexp, ncell, "hi0");
}

/* The result of both routines: a list of `nelt` whose first three are the
 * status (a copy of the one given, to be changed), and the lower and upper
 * bounds of each cell; unprotected. */
static SEXP pattern_result(const cell_args *p_a, int nelt) {
  SEXP out = PROTECT(Rf_allocVector(VECSXP, nelt));
  SET_VECTOR_ELT(out, 0, Rf_allocVector(INTSXP, p_a->ncell));
  SET_VECTOR_ELT(out, 1, Rf_allocVector(REALSXP, p_a->ncell));
  SET_VECTOR_ELT(out, 2, Rf_allocVector(REALSXP, p_a->ncell));
  memcpy(INTEGER(VECTOR_ELT(out, 0)), p_a->status0,
         (size_t)p_a->ncell * sizeof(int));
  UNPROTECT(1);
  return out;
}

SEXP spr_c_disclose_protect(SEXP ptr_sexp, SEXP member_sexp, SEXP value_sexp,
                            SEXP status_sexp, SEXP priority_sexp,
                            SEXP tier_sexp, SEXP lo0_sexp, SEXP hi0_sexp,
                            SEXP protection_sexp, SEXP force_sexp,
                            SEXP wide_sexp) {
  cell_args a;
  cell_args_read(&a, ptr_sexp, member_sexp, value_sexp, status_sexp,
                 priority_sexp, tier_sexp, lo0_sexp, hi0_sexp);
  int ncell = a.ncell;
  relset rel = a.rel;
  const double *value = a.value, *lo0 = a.lo0, *hi0 = a.hi0;
  const int *priority = a.priority, *tier = a.tier;
  const int *force = int_arg(force_sexp, -1, "force");
  const int *wide = int_arg(wide_sexp, -1, "wide");
  if (TYPEOF(protection_sexp) != REALSXP || XLENGTH(protection_sexp) != 1)
    SPR_INTERNAL("`protection` must be a number");
  double protection = REAL(protection_sexp)[0];

  int nprot = 0;
  SEXP out = PROTECT(pattern_result(&a, 3));
  nprot++;
  int *status = INTEGER(VECTOR_ELT(out, 0));
  double *lo = REAL(VECTOR_ELT(out, 1)), *hi = REAL(VECTOR_ELT(out, 2));
  int *nsup = (int *)R_alloc(rel.nrel > 0 ? rel.nrel : 1, sizeof(int));
  for (int r = 0; r < rel.nrel; r++) {
    nsup[r] = 0;
    for (int m = rel.ptr[r]; m < rel.ptr[r + 1]; m++)
      nsup[r] += status[rel.member[m] - 1] != 0;
  }

  relqueue q;
  queue_init(&q, rel.nrel);
  search_space space;
  search_init(&space, ncell, rel.nrel);
  /* relations touched by a complement added in this pass: an exposed cell
   * in one of them waits for the next propagation, which may find it
   * protected already (two exposed cells often share one complement) */
  char *dirty = (char *)R_alloc(rel.nrel > 0 ? rel.nrel : 1, 1);
  for (R_xlen_t k = 0; k < XLENGTH(force_sexp); k++) {
    int c = force[k] - 1;
    if (c < 0 || c >= ncell) SPR_INTERNAL("force cell %d out of range", c + 1);
    complement_for(&rel, c, status, nsup, priority, tier, &space);
  }
  /* cells still exposed after a complement of their own: one more in each
   * of their relations that has a published cell able to move both ways */
  for (R_xlen_t k = 0; k < XLENGTH(wide_sexp); k++) {
    int c = wide[k] - 1;
    if (c < 0 || c >= ncell) SPR_INTERNAL("wide cell %d out of range", c + 1);
    for (int i = rel.cptr[c]; i < rel.cptr[c + 1]; i++) {
      int y = cheapest_in(&rel, rel.crel[i], status, nsup, priority, tier);
      if (y >= 0 && tier[y] < 2) hide(&rel, status, nsup, y);
    }
  }
  for (;;) {
    eliminate_singletons(&rel, status, nsup, priority, tier, &q);
    propagate(&rel, status, value, lo0, hi0, lo, hi, &q);
    memset(dirty, 0, rel.nrel > 0 ? rel.nrel : 1);
    int added = 0;
    for (int j = 0; j < ncell; j++) {
      if (status[j] != 1 || hi[j] - lo[j] >= protection) continue;
      int wait = 0;
      for (int k = rel.cptr[j]; k < rel.cptr[j + 1] && !wait; k++)
        wait = dirty[rel.crel[k]];
      if (wait) {
        added++; /* another pass is needed */
        continue;
      }
      int c = complement_for(&rel, j, status, nsup, priority, tier, &space);
      if (c >= 0) {
        added++;
        for (int k = rel.cptr[c]; k < rel.cptr[c + 1]; k++)
          dirty[rel.crel[k]] = 1;
        for (int k = rel.cptr[j]; k < rel.cptr[j + 1]; k++)
          dirty[rel.crel[k]] = 1;
      }
    }
    if (added == 0) break;
    R_CheckUserInterrupt();
  }
  UNPROTECT(nprot);
  return out;
}

/* ---- moves --------------------------------------------------------------- */

/* A move is a change of the hidden cells that keeps every relation true and
 * every cell within the attacker's bounds. When one exists that changes
 * cell c by `protection` in all (two moves, one each way, may add up), the
 * attacker cannot pin c down: c is protected, whatever a linear programme
 * would say in addition. spr_c_disclose_moves() looks for such moves by a
 * greedy search: start with c changed by +1 (or -1); while some relation
 * is out of balance, change one of its hidden cells to restore it, the
 * cell whose change unbalances the fewest other relations (so the move
 * closes into a rectangle or cube of cells, as in Repsilber's hypercube
 * method; Hundepool et al. 2012, ch. 5.6). The search gives up after `cap`
 * cells; a cell without a move is left to the exact check. */
typedef struct {
  const relset *p_rel;
  const int *status;
  const int *priority, *tier; /* of published cells (buying only) */
  const double *value, *lo, *hi;
  int *delta;          /* ncell, 0 outside the move          */
  int *imb;            /* nrel: total minus parts of delta    */
  int *cells, ncells;  /* cells with a delta (may repeat)     */
  int *rels, nrels;    /* relations touched                   */
  char *in_cells, *in_rels;
  int *stack, nstack;  /* relations that may be out of balance */
} move_space;

#define MOVE_VARIANTS 8

static int coef_in(const relset *p_rel, int r, int y) {
  return p_rel->member[p_rel->ptr[r]] - 1 == y ? 1 : -1;
}

static void move_reset(move_space *p_m) {
  for (int i = 0; i < p_m->ncells; i++) {
    p_m->delta[p_m->cells[i]] = 0;
    p_m->in_cells[p_m->cells[i]] = 0;
  }
  for (int i = 0; i < p_m->nrels; i++) {
    p_m->imb[p_m->rels[i]] = 0;
    p_m->in_rels[p_m->rels[i]] = 0;
  }
  p_m->ncells = p_m->nrels = p_m->nstack = 0;
}

static void move_change(move_space *p_m, int y, int by) {
  const relset *p_rel = p_m->p_rel;
  if (!p_m->in_cells[y]) {
    p_m->in_cells[y] = 1;
    p_m->cells[p_m->ncells++] = y;
  }
  p_m->delta[y] += by;
  for (int k = p_rel->cptr[y]; k < p_rel->cptr[y + 1]; k++) {
    int r = p_rel->crel[k];
    if (!p_m->in_rels[r]) {
      p_m->in_rels[r] = 1;
      p_m->rels[p_m->nrels++] = r;
    }
    p_m->imb[r] += coef_in(p_rel, r, y) * by;
    if (p_m->imb[r] != 0) p_m->stack[p_m->nstack++] = r;
  }
}

/* Can y change by `by` (on top of its delta) within its bounds? */
static int move_fits(const move_space *p_m, int y, int by) {
  double x = p_m->value[y] + p_m->delta[y] + by;
  return x >= p_m->lo[y] - 1e-9 && x <= p_m->hi[y] + 1e-9;
}

/* Room of cell y to change by `by` beyond its current delta. */
static double move_room(const move_space *p_m, int y, int by) {
  double x = p_m->value[y] + p_m->delta[y];
  return by > 0 ? p_m->hi[y] - x : x - p_m->lo[y];
}

/* Move the out-of-balance relation of the stack with the fewest cells
 * able to balance it to the top of the stack (balanced ones are dropped). */
static void move_most_constrained(move_space *p_m, int buy) {
  const relset *p_rel = p_m->p_rel;
  int best_at = -1, best_n = INT_MAX, keep = 0;
  for (int i = 0; i < p_m->nstack; i++) {
    int r = p_m->stack[i];
    if (p_m->imb[r] == 0) continue;
    /* drop duplicates: a relation may be on the stack more than once */
    int dup = 0;
    for (int j = 0; j < keep && !dup; j++) dup = p_m->stack[j] == r;
    if (dup) continue;
    p_m->stack[keep] = r;
    int n = 0;
    for (int m = p_rel->ptr[r]; m < p_rel->ptr[r + 1] && n < best_n; m++) {
      int y = p_rel->member[m] - 1;
      if ((p_m->status[y] == 0 && !buy) || p_m->in_cells[y]) continue;
      if (move_fits(p_m, y, -coef_in(p_rel, r, y) * p_m->imb[r])) n++;
    }
    if (n < best_n) {
      best_n = n;
      best_at = keep;
    }
    keep++;
  }
  p_m->nstack = keep;
  if (best_at >= 0 && best_at != keep - 1) {
    int tmp = p_m->stack[keep - 1];
    p_m->stack[keep - 1] = p_m->stack[best_at];
    p_m->stack[best_at] = tmp;
  }
}

/* Build a move that changes c by `sign`; 1 when found. Candidates with the
 * same score are taken by `variant`: 0 the first, 1 the last, 2 the one
 * with the most room, more in a pseudo-random order fixed by the variant,
 * so that a failed search can be tried another way. */
static int move_search(move_space *p_m, int c, int sign, int cap,
                       int variant, int buy) {
  const relset *p_rel = p_m->p_rel;
  move_reset(p_m);
  if (!move_fits(p_m, c, sign)) return 0;
  move_change(p_m, c, sign);
  int steps = 0;
  /* variants past MOVE_VARIANTS: the relation with the fewest cells that
   * could balance it comes first (the most constrained), and scores carry
   * a little noise, so that a retry takes other paths */
  int careful = variant >= MOVE_VARIANTS;
  while (p_m->nstack > 0) {
    if (careful) move_most_constrained(p_m, buy);
    int r = p_m->stack[--p_m->nstack];
    if (p_m->imb[r] == 0) continue;
    if (++steps > 4 * cap || p_m->ncells > cap) return 0;
    /* stack room: each change pushes at most the cell's relations */
    int best = -1, best_by = 0, best_score = 0;
    for (int m = p_rel->ptr[r]; m < p_rel->ptr[r + 1]; m++) {
      int y = p_rel->member[m] - 1;
      /* each cell changes once, or the search would undo its own steps */
      if ((p_m->status[y] == 0 && !buy) || p_m->in_cells[y]) continue;
      int cy = coef_in(p_rel, r, y);
      int by = -cy * p_m->imb[r];
      if (!move_fits(p_m, y, by)) continue;
      /* a published cell (when the search may buy one) costs `buy` */
      int score = p_m->status[y] == 0 ? buy * (1 + (p_m->tier[y] == 1)) : 0;
      for (int k = p_rel->cptr[y]; k < p_rel->cptr[y + 1]; k++) {
        int r2 = p_rel->crel[k];
        if (r2 == r) continue;
        int after = p_m->imb[r2] + coef_in(p_rel, r2, y) * by;
        score += (after != 0) - (p_m->imb[r2] != 0);
      }
      if (careful)
        score = 4 * score + (int)(spr_mix64((uint64_t)y * 7919 + variant) % 6);
      int take = best < 0 || score < best_score;
      if (!take && score == best_score && p_m->status[y] == 0 &&
          p_m->status[best] == 0 && variant < MOVE_VARIANTS / 2) {
        /* two published cells: the cheaper to hide (the lower priority) */
        take = p_m->priority[y] < p_m->priority[best];
      } else if (!take && score == best_score) {
        if (variant == 1) take = 1;
        if (variant == 2)
          take = move_room(p_m, y, by) > move_room(p_m, best, best_by);
        if (variant > 2) /* a fixed pseudo-random order per variant */
          take = spr_mix64((uint64_t)y * 131 + variant) >
                 spr_mix64((uint64_t)best * 131 + variant);
      }
      if (take) {
        best = y;
        best_by = by;
        best_score = score;
      }
    }
    if (best < 0) return 0;
    move_change(p_m, best, best_by);
  }
  return 1;
}

/* How many times the current move fits in direction `dir` (+1 or -1). */
static int move_reach(const move_space *p_m, int dir, int limit) {
  int reach = limit;
  for (int i = 0; i < p_m->ncells && reach > 0; i++) {
    int y = p_m->cells[i], d = p_m->delta[y] * dir;
    if (d == 0) continue;
    double room = d > 0 ? p_m->hi[y] - p_m->value[y] : p_m->value[y] - p_m->lo[y];
    double times = floor((room + 1e-9) / abs(d));
    if (times < reach) reach = (int)times;
  }
  return reach;
}

/* Scratch of move_search() for `cap` cells; status and bounds are set by
 * the caller. */
static void move_space_init(move_space *p_m, const relset *p_rel, int cap) {
  int ncell = p_rel->ncell;
  int nrel = p_rel->nrel > 0 ? p_rel->nrel : 1, nc = ncell > 0 ? ncell : 1;
  p_m->p_rel = p_rel;
  p_m->priority = p_m->tier = NULL;
  p_m->delta = (int *)R_alloc(nc, sizeof(int));
  memset(p_m->delta, 0, nc * sizeof(int));
  p_m->imb = (int *)R_alloc(nrel, sizeof(int));
  memset(p_m->imb, 0, nrel * sizeof(int));
  p_m->in_cells = (char *)R_alloc(nc, 1);
  memset(p_m->in_cells, 0, nc);
  p_m->in_rels = (char *)R_alloc(nrel, 1);
  memset(p_m->in_rels, 0, nrel);
  /* a search touches at most cap + 1 cells (the last change may pass the
   * cap before the check) and their relations */
  int maxrel = 0;
  for (int j = 0; j < ncell; j++) {
    int k = p_rel->cptr[j + 1] - p_rel->cptr[j];
    if (k > maxrel) maxrel = k;
  }
  size_t room = ((size_t)cap + 2) * (maxrel > 0 ? maxrel : 1);
  p_m->cells = (int *)R_alloc((size_t)cap + 2, sizeof(int));
  p_m->rels = (int *)R_alloc(room, sizeof(int));
  p_m->stack = (int *)R_alloc(room * 4 + 16, sizeof(int));
  p_m->ncells = p_m->nrels = p_m->nstack = 0;
}

/* The search limits of spr_c_disclose_moves() and spr_c_disclose_certify():
 * the cap on the cells of a move into *p_cap; returns the whole units a
 * move must reach (the protection, at least 1). */
static int move_limits(SEXP protection_sexp, SEXP cap_sexp, int *p_cap) {
  double protection = Rf_asReal(protection_sexp);
  int cap = Rf_asInteger(cap_sexp);
  if (ISNAN(protection) || cap == NA_INTEGER || cap < 1)
    SPR_INTERNAL("`protection` and `cap` must be numbers");
  *p_cap = cap;
  int need = (int)ceil(protection - 1e-9);
  return need < 1 ? 1 : need;
}

SEXP spr_c_disclose_moves(SEXP ptr_sexp, SEXP member_sexp, SEXP status_sexp,
                          SEXP value_sexp, SEXP lo_sexp, SEXP hi_sexp,
                          SEXP targets_sexp, SEXP protection_sexp,
                          SEXP cap_sexp) {
  int ncell = (int)XLENGTH(status_sexp);
  relset rel;
  relset_init(&rel, ptr_sexp, member_sexp, ncell);
  const int *targets = int_arg(targets_sexp, -1, "targets");
  int ntarget = (int)XLENGTH(targets_sexp);
  int cap, need = move_limits(protection_sexp, cap_sexp, &cap);
  move_space ms;
  move_space_init(&ms, &rel, cap);
  ms.status = int_arg(status_sexp, ncell, "status");
  ms.value = real_arg(value_sexp, ncell, "value");
  ms.lo = real_arg(lo_sexp, ncell, "lo");
  ms.hi = real_arg(hi_sexp, ncell, "hi");

  SEXP out = PROTECT(Rf_allocVector(LGLSXP, ntarget));
  int *v_out = LOGICAL(out);
  /* how far the move found goes up and down from the value (at most
   * `protection`): the span it proves */
  SEXP up_sexp = Rf_allocVector(INTSXP, ntarget);
  Rf_setAttrib(out, Rf_install("up"), up_sexp);
  SEXP down_sexp = Rf_allocVector(INTSXP, ntarget);
  Rf_setAttrib(out, Rf_install("down"), down_sexp);
  int *up = INTEGER(up_sexp), *down = INTEGER(down_sexp);
  for (int t = 0; t < ntarget; t++) {
    int c = targets[t] - 1;
    if (c < 0 || c >= ncell || ms.status[c] == 0)
      SPR_INTERNAL("target %d is not a hidden cell", c + 1);
    int reach = 0;
    up[t] = down[t] = 0;
    /* the plain variants first, then the careful ones (see move_search()) */
    for (int attempt = 0; attempt < 8 * MOVE_VARIANTS && reach < need;
         attempt++) {
      int sign = attempt % 2 ? -1 : 1;
      if (!move_search(&ms, c, sign, cap, attempt / 2, 0)) continue;
      /* the move found, and its opposite, as far as the bounds allow */
      int there = move_reach(&ms, 1, need), back = move_reach(&ms, -1, need);
      if (there + back > reach) {
        reach = there + back;
        up[t] = sign > 0 ? there : back;
        down[t] = sign > 0 ? back : there;
      }
    }
    move_reset(&ms);
    v_out[t] = reach >= need;
    if ((t + 1) % 256 == 0) R_CheckUserInterrupt();
  }
  UNPROTECT(1);
  return out;
}

/* ---- certificates -------------------------------------------------------- */

/* spr_c_disclose_certify() turns the heuristic's pattern into one where
 * every primary cell holds a certificate: a move (see above) that changes
 * it by the protection and keeps every relation and bound true. A
 * certificate is a proof the exact audit would confirm: the move is a
 * feasible point of the attacker's programme.
 *
 * 1. Each primary cell gets a move over hidden cells when the greedy
 *    search finds one.
 * 2. A cell without one gets a move that may pass through published cells
 *    at a cost (`buy` score units each, twice for the grand total); of the
 *    tries, the one that buys the fewest cells is taken and its published
 *    cells are hidden. Hiding cells leaves every move found so far valid.
 * 3. Pruning: each complementary cell in turn, the most valuable first, is
 *    published again when every primary cell whose certificate passes
 *    through it finds another move without it (Hundepool et al. 2012,
 *    ch. 4.4.7, call this removing redundant suppressions). A certificate
 *    found here again stays valid when later cells are published, since
 *    no certificate passes through a published cell.
 *
 * Cells for which no move is found are returned (element 4); the caller
 * decides (linear programming, or more suppressions). Element 5 holds the
 * certificates, so that R can check them. */

/* A growable int array on R's transient heap (freed after the .Call). */
typedef struct {
  int *x;
  int n, cap;
} ivec;

static void ivec_push(ivec *p_v, int a) {
  if (p_v->n == p_v->cap) {
    int nc = p_v->cap > 0 ? 2 * p_v->cap : 4096;
    int *nx = (int *)R_alloc((size_t)nc, sizeof(int));
    if (p_v->n > 0) memcpy(nx, p_v->x, (size_t)p_v->n * sizeof(int));
    p_v->x = nx;
    p_v->cap = nc;
  }
  p_v->x[p_v->n++] = a;
}

/* The move with the fewest bought cells among the tries, copied to `best`
 * as (cell, change) pairs; returns the number bought, or -1 when no try
 * succeeds. With buy == 0 only hidden cells move. */
static int certify_one(move_space *p_m, int c, int need, int cap, int buy,
                       int nvariant, int *best, int *p_nbest) {
  int best_bought = -1;
  static const int buys[] = {1, 3, 12};
  int nbuy = buy ? (int)(sizeof buys / sizeof buys[0]) : 1;
  for (int b = 0; b < nbuy; b++) {
    for (int attempt = 0; attempt < 2 * nvariant; attempt++) {
      int sign = attempt % 2 ? -1 : 1;
      if (!move_search(p_m, c, sign, cap, attempt / 2, buy ? buys[b] * buy : 0))
        continue;
      int reach = move_reach(p_m, 1, need) + move_reach(p_m, -1, need);
      if (reach < need) continue;
      int bought = 0;
      for (int i = 0; i < p_m->ncells; i++)
        bought += p_m->status[p_m->cells[i]] == 0;
      if (best_bought < 0 || bought < best_bought ||
          (bought == best_bought && p_m->ncells < *p_nbest)) {
        best_bought = bought;
        for (int i = 0; i < p_m->ncells; i++) {
          best[2 * i] = p_m->cells[i];
          best[2 * i + 1] = p_m->delta[p_m->cells[i]];
        }
        *p_nbest = p_m->ncells;
      }
      if (best_bought == 0) break;
    }
    if (best_bought == 0) break;
  }
  move_reset(p_m);
  return best_bought;
}

typedef struct {
  ivec pool;         /* every certificate's (cell, change) pairs, back to back */
  int *at, *len;     /* ncell: where cell c's certificate is (len -1: none) */
  ivec user, next;   /* per cell, a list of cells whose certificates used it */
  int *head;         /* ncell: start of that list, -1 when empty */
} certs;

static void certs_store(certs *p_k, int c, const int *pairs, int n) {
  p_k->at[c] = p_k->pool.n;
  p_k->len[c] = n;
  for (int i = 0; i < n; i++) {
    int y = pairs[2 * i];
    ivec_push(&p_k->pool, y);
    ivec_push(&p_k->pool, pairs[2 * i + 1]);
    ivec_push(&p_k->user, c);
    ivec_push(&p_k->next, p_k->head[y]);
    p_k->head[y] = p_k->user.n - 1;
  }
}

static int certs_uses(const certs *p_k, int c, int y) {
  for (int i = 0; i < p_k->len[c]; i++)
    if (p_k->pool.x[p_k->at[c] + 2 * i] == y) return 1;
  return 0;
}

/* Pruning order: the grand total first, then the most valuable cell, then
 * the row. */
typedef struct {
  int total, priority, cell;
} prune_key;

static int cmp_prune(const void *a, const void *b) {
  const prune_key *x = (const prune_key *)a, *y = (const prune_key *)b;
  if (x->total != y->total) return x->total ? -1 : 1;
  if (x->priority != y->priority) return x->priority > y->priority ? -1 : 1;
  return x->cell < y->cell ? -1 : (x->cell > y->cell);
}

SEXP spr_c_disclose_certify(SEXP ptr_sexp, SEXP member_sexp, SEXP value_sexp,
                            SEXP status_sexp, SEXP priority_sexp,
                            SEXP tier_sexp, SEXP lo0_sexp, SEXP hi0_sexp,
                            SEXP protection_sexp, SEXP cap_sexp) {
  cell_args a;
  cell_args_read(&a, ptr_sexp, member_sexp, value_sexp, status_sexp,
                 priority_sexp, tier_sexp, lo0_sexp, hi0_sexp);
  int ncell = a.ncell;
  relset rel = a.rel;
  int cap, need = move_limits(protection_sexp, cap_sexp, &cap);
  /* tries per cell: the first search uses the plain variants only; a cell
   * without a move then gets many careful ones too (see move_search()),
   * and a cell whose move passes through a cell being published some */
  int nretry = 16 * MOVE_VARIANTS, nprune = 4 * MOVE_VARIANTS;

  SEXP out = PROTECT(pattern_result(&a, 5));
  int *status = INTEGER(VECTOR_ELT(out, 0));

  move_space ms;
  move_space_init(&ms, &rel, cap);
  ms.status = status;
  ms.priority = a.priority;
  ms.tier = a.tier;
  ms.value = a.value;
  ms.lo = a.lo0;
  ms.hi = a.hi0;

  int nc = ncell > 0 ? ncell : 1;
  certs k;
  memset(&k, 0, sizeof k);
  k.at = (int *)R_alloc(nc, sizeof(int));
  k.len = (int *)R_alloc(nc, sizeof(int));
  k.head = (int *)R_alloc(nc, sizeof(int));
  for (int j = 0; j < ncell; j++) {
    k.len[j] = -1;
    k.head[j] = -1;
  }
  int *best = (int *)R_alloc(2 * ((size_t)cap + 2), sizeof(int));
  int nbest = 0;

  /* 1. moves over hidden cells */
  for (int c = 0; c < ncell; c++) {
    if (status[c] != 1) continue;
    if (certify_one(&ms, c, need, cap, 0, MOVE_VARIANTS, best, &nbest) == 0)
      certs_store(&k, c, best, nbest);
    if ((c + 1) % 1024 == 0) R_CheckUserInterrupt();
  }
  /* 2. moves that may buy published cells */
  ivec failed = {NULL, 0, 0};
  for (int c = 0; c < ncell; c++) {
    if (status[c] != 1 || k.len[c] >= 0) continue;
    int bought = certify_one(&ms, c, need, cap, 0, nretry, best, &nbest);
    if (bought < 0) bought = certify_one(&ms, c, need, cap, 1, nretry, best, &nbest);
    if (bought < 0) {
      ivec_push(&failed, c + 1);
      continue;
    }
    for (int i = 0; i < nbest; i++)
      if (status[best[2 * i]] == 0) status[best[2 * i]] = 2;
    certs_store(&k, c, best, nbest);
    R_CheckUserInterrupt();
  }
  /* 3. pruning (a block of its own: its scratch is needed nowhere else) */
  {
    int ncand = 0;
    prune_key *cand = (prune_key *)R_alloc(nc, sizeof(prune_key));
    for (int j = 0; j < ncell; j++) {
      if (status[j] != 2) continue;
      cand[ncand].total = a.tier[j] == 1;
      cand[ncand].priority = a.priority[j];
      cand[ncand++].cell = j;
    }
    qsort(cand, (size_t)ncand, sizeof(prune_key), cmp_prune);
    int *seen = (int *)R_alloc(nc, sizeof(int));
    memset(seen, 0, (size_t)nc * sizeof(int));
    int *users = (int *)R_alloc(nc, sizeof(int));
    ivec fresh = {NULL, 0, 0}; /* new certificates: cell, length, pairs */
    for (int i = 0; i < ncand; i++) {
      int s = cand[i].cell, nusers = 0, ok = 1;
      for (int e = k.head[s]; e >= 0; e = k.next.x[e]) {
        int u = k.user.x[e];
        if (seen[u] == i + 1 || !certs_uses(&k, u, s)) continue;
        seen[u] = i + 1;
        users[nusers++] = u;
      }
      status[s] = 0;
      fresh.n = 0;
      for (int j = 0; j < nusers && ok; j++) {
        if (certify_one(&ms, users[j], need, cap, 0, nprune, best, &nbest) != 0) {
          ok = 0;
          break;
        }
        ivec_push(&fresh, users[j]);
        ivec_push(&fresh, nbest);
        for (int b = 0; b < 2 * nbest; b++) ivec_push(&fresh, best[b]);
      }
      if (!ok) {
        status[s] = 2;
      } else {
        for (int f = 0; f < fresh.n; f += 2 + 2 * fresh.x[f + 1])
          certs_store(&k, fresh.x[f], fresh.x + f + 2, fresh.x[f + 1]);
      }
      if ((i + 1) % 256 == 0) R_CheckUserInterrupt();
    }
  }
  relqueue q;
  queue_init(&q, rel.nrel);
  propagate(&rel, status, a.value, a.lo0, a.hi0, REAL(VECTOR_ELT(out, 1)),
            REAL(VECTOR_ELT(out, 2)), &q);
  SEXP failed_out = Rf_allocVector(INTSXP, failed.n);
  SET_VECTOR_ELT(out, 3, failed_out);
  if (failed.n > 0)
    memcpy(INTEGER(failed_out), failed.x, (size_t)failed.n * sizeof(int));
  /* the certificates: cell j's move is cells cell[ptr[j] + 1 .. ptr[j + 1]]
   * (1-based) changed by delta[...]; empty for cells without one */
  R_xlen_t total = 0;
  for (int j = 0; j < ncell; j++)
    if (k.len[j] > 0) total += k.len[j];
  SEXP cert_out = Rf_allocVector(VECSXP, 3);
  SET_VECTOR_ELT(out, 4, cert_out);
  SEXP ptr_out = Rf_allocVector(INTSXP, (R_xlen_t)ncell + 1);
  SET_VECTOR_ELT(cert_out, 0, ptr_out);
  SEXP cell_out = Rf_allocVector(INTSXP, total);
  SET_VECTOR_ELT(cert_out, 1, cell_out);
  SEXP delta_out = Rf_allocVector(INTSXP, total);
  SET_VECTOR_ELT(cert_out, 2, delta_out);
  int *p_ptr = INTEGER(ptr_out), *p_cell = INTEGER(cell_out),
      *p_delta = INTEGER(delta_out);
  p_ptr[0] = 0;
  for (int j = 0; j < ncell; j++) {
    int at = p_ptr[j];
    for (int i = 0; i < k.len[j]; i++) {
      p_cell[at] = k.pool.x[k.at[j] + 2 * i] + 1;
      p_delta[at++] = k.pool.x[k.at[j] + 2 * i + 1];
    }
    p_ptr[j + 1] = at;
  }
  UNPROTECT(1);
  return out;
}

/* ---- components -------------------------------------------------------- */

static int uf_find(int *parent, int x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

SEXP spr_c_disclose_components(SEXP ptr_sexp, SEXP member_sexp,
                               SEXP status_sexp) {
  int ncell = (int)XLENGTH(status_sexp);
  relset rel;
  relset_init(&rel, ptr_sexp, member_sexp, ncell);
  const int *status = int_arg(status_sexp, ncell, "status");
  int *parent = (int *)R_alloc(ncell > 0 ? ncell : 1, sizeof(int));
  for (int j = 0; j < ncell; j++) parent[j] = j;
  for (int r = 0; r < rel.nrel; r++) {
    int first = -1;
    for (int m = rel.ptr[r]; m < rel.ptr[r + 1]; m++) {
      int c = rel.member[m] - 1;
      if (status[c] == 0) continue;
      if (first < 0) {
        first = uf_find(parent, c);
      } else {
        int root = uf_find(parent, c);
        if (root != first) parent[root] = first;
      }
    }
  }
  SEXP out = PROTECT(Rf_allocVector(INTSXP, ncell));
  int *v_out = INTEGER(out);
  int *label = (int *)R_alloc(ncell > 0 ? ncell : 1, sizeof(int));
  for (int j = 0; j < ncell; j++) label[j] = 0;
  int next = 0;
  for (int j = 0; j < ncell; j++) {
    if (status[j] == 0) {
      v_out[j] = 0;
      continue;
    }
    int root = uf_find(parent, j);
    if (label[root] == 0) label[root] = ++next;
    v_out[j] = label[root];
  }
  UNPROTECT(1);
  return out;
}

/* ---- primary rules ----------------------------------------------------- */

/* Run a registered C rule over the cells; `cols` is a list of double
 * vectors (the count first). */
SEXP spr_c_disclose_rule(SEXP impl_sexp, SEXP cols_sexp, SEXP params_sexp,
                         SEXP name_sexp) {
  if (TYPEOF(impl_sexp) != RAWSXP || XLENGTH(impl_sexp) != sizeof(spr_impl))
    SPR_INTERNAL("not a C rule");
  spr_impl impl;
  memcpy(&impl, RAW(impl_sexp), sizeof impl);
  if (impl.disclose == NULL) SPR_INTERNAL("rule has no kernel");
  int ncols = (int)XLENGTH(cols_sexp);
  if (ncols < 1) SPR_INTERNAL("rule without columns");
  int n = (int)XLENGTH(VECTOR_ELT(cols_sexp, 0));
  const double **cols = (const double **)R_alloc(ncols, sizeof(double *));
  for (int k = 0; k < ncols; k++)
    cols[k] = real_arg(VECTOR_ELT(cols_sexp, k), n, "cols");
  const double *params = REAL(params_sexp);
  SEXP out = PROTECT(Rf_allocVector(INTSXP, n));
  int *status = INTEGER(out);
  memset(status, 0, (size_t)n * sizeof(int));
  spreiding_error err;
  memset(&err, 0, sizeof err);
  int rc = impl.disclose(n, cols, ncols, params, (int)XLENGTH(params_sexp),
                         status, impl.data, &err);
  const char *name = CHAR(STRING_ELT(name_sexp, 0));
  if (rc == SPREIDING_INTERRUPTED)
    spr_error("rules", 0, "disclosure rule %s() was interrupted", name);
  if (rc != SPREIDING_OK)
    spr_error("rules", 0, "disclosure rule %s(): %s", name,
              err.message[0] ? err.message : "failed without a message");
  for (int i = 0; i < n; i++) status[i] = status[i] != 0;
  UNPROTECT(1);
  return out;
}

/* min_count(n, zeros): suppress 1..n-1, and 0 when zeros = 1 ("suppress"). */
static int min_count_kernel(int n, const double *const *cols, int ncols,
                            const double *params, int nparams, int *status,
                            void *data, spreiding_error *err) {
  (void)ncols;
  (void)nparams;
  (void)data;
  double limit = params[0], zeros = params[1];
  if (ISNAN(limit) || limit < 1) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE, "`n` must be at least 1");
    return SPREIDING_ERROR;
  }
  const double *x = cols[0];
  for (int i = 0; i < n; i++)
    if ((x[i] > 0 && x[i] < limit) || (zeros != 0 && x[i] == 0)) status[i] = 1;
  return SPREIDING_OK;
}

/* dominance(n, k): suppress a cell whose n largest contributions (column
 * `top`) make up at least k% of its total. */
static int dominance_kernel(int n, const double *const *cols, int ncols,
                            const double *params, int nparams, int *status,
                            void *data, spreiding_error *err) {
  (void)nparams;
  (void)data;
  if (ncols < 2) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "dominance() needs the column of the largest contributions (`top`)");
    return SPREIDING_ERROR;
  }
  double k = params[1];
  if (ISNAN(k) || k <= 0 || k > 100) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "`k` must be a percentage in (0, 100]");
    return SPREIDING_ERROR;
  }
  const double *x = cols[0], *top = cols[1];
  for (int i = 0; i < n; i++) {
    if (top[i] > x[i] * (1 + 1e-12)) {
      snprintf(err->message, SPREIDING_MESSAGE_SIZE,
               "the largest contributions (%g) exceed the cell total (%g) in "
               "cell %d", top[i], x[i], i + 1);
      err->row = i + 1;
      return SPREIDING_ERROR;
    }
    if (x[i] > 0 && top[i] >= k / 100 * x[i]) status[i] = 1;
  }
  return SPREIDING_OK;
}

/* secondary(): a marker; complementary suppression is the engine's. */
static int secondary_kernel(int n, const double *const *cols, int ncols,
                            const double *params, int nparams, int *status,
                            void *data, spreiding_error *err) {
  (void)n; (void)cols; (void)ncols; (void)params; (void)nparams;
  (void)status; (void)data; (void)err;
  return SPREIDING_OK;
}

void spr_register_builtin_rules(void) {
  static const char *const x_args[] = {"x"};
  static const char *const dom_args[] = {"x", "top"};
  static const char *const min_params[] = {"n", "zeros"};
  static const char *const dom_params[] = {"n", "k"};
  static const char *const sec_params[] = {"protection"};
  static const double min_defaults[] = {10, 0};
  static const double dom_defaults[] = {1, 80};
  static const double sec_defaults[] = {1};
  const spreiding_disclosure_rule defs[] = {
      {SPREIDING_API_VERSION, "min_count",
       "Primary: counts 1..n-1 (and 0 with zeros = \"suppress\")", "spreiding",
       1, x_args, 2, min_params, min_defaults, min_count_kernel, NULL},
      {SPREIDING_API_VERSION, "dominance",
       "Primary: the n largest contributions are k% or more of the cell total",
       "spreiding", 2, dom_args, 2, dom_params, dom_defaults, dominance_kernel,
       NULL},
      {SPREIDING_API_VERSION, "secondary",
       "Complementary suppression until every primary cell is protected",
       "spreiding", 1, x_args, 1, sec_params, sec_defaults, secondary_kernel,
       NULL}};
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
    spreiding_error err;
    memset(&err, 0, sizeof err);
    if (spr_register_disclosure_rule(&defs[i], 0, &err) != SPREIDING_OK)
      SPR_INTERNAL("registering %s: %s", defs[i].name, err.message);
  }
}
