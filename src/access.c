/*
 * access.c -- floating catchment area accessibility: how much supply (GP
 * full-time equivalents) each demand point (a PC4 area's population) can
 * reach within a distance, net of the other demand competing for it.
 *
 * The measures. With d_ij the Euclidean distance between demand point i
 * (population P_i) and supply point j (capacity S_j), the pairs with
 * d_ij <= d0 (max_dist, distance 0 included) are in reach, and w_ij =
 * f(d_ij) is their distance-decay weight (0 for pairs out of reach):
 *
 *   2SFCA (Luo & Wang 2003; E2SFCA, Luo & Qi 2009, is the same two steps
 *   with a stepped f, one weight per distance zone):
 *     R_j = 1000 S_j / sum_i w_ij P_i          (capacity per 1,000)
 *     A_i = sum_j w_ij R_j
 *   BFCA (balanced; Paez, Higgins & Vivona 2019): the weights are
 *   normalised, once over each demand point's reach and once over each
 *   supply point's, so that no person is counted at two supply points and
 *   no capacity at two demand points:
 *     a_ij = w_ij / sum_k w_ik,  b_ij = w_ij / sum_k w_kj
 *     R_j = 1000 S_j / sum_i a_ij P_i
 *     A_i = sum_j b_ij R_j
 *
 * A supply point whose catchment population (the denominator of R_j) is 0
 * has no ratio (NA) and adds nothing to any A_i; a demand point in reach
 * of no such supply point has A_i = 0. A 0/0 normalisation in a_ij or b_ij
 * (a reach whose weights are all 0) counts as 0.
 *
 * The pairs. No n x m matrix is made: the supply points are sorted into a
 * uniform grid of square cells of side d0 / 2 (a counting sort, row-major
 * from the bottom left, points in row order within a cell). For a demand
 * point, each grid row that the circle of radius d0 around it touches is
 * cut to the columns the circle spans over that row's strip; those cells
 * are adjacent in the sorted order, so each row is one contiguous run of
 * candidates (on the benchmark's PC4 data 1.6 times the pairs in reach,
 * against 2.2 times for the plain 3 x 3 cells of side d0). The circle is
 * widened by a relative 1e-6 so that rounding never drops a point, and
 * every candidate is then tested on its computed distance,
 * sqrt(dx * dx + dy * dy) <= d0, as a dense implementation would test it.
 * That test is made without a branch on the squared distance,
 * d2 <= d0 * d0, which agrees with it except within a relative 1e-10 of
 * d0 * d0; the rare run with a candidate that close is done again with the
 * square root (which is otherwise only taken where the decay needs the
 * distance). When the bounding box of the supply points would need more
 * than max(16 m, 65536) cells (at most 2^24), the cells are made larger:
 * the answer is the same, only the candidates are more.
 *
 * The passes. The reach of a demand point is found again in each pass
 * instead of being stored, so memory stays O(n + m) whatever the number of
 * pairs: pass 1 counts the pairs and sums the weights per demand and per
 * supply point (and, for 2SFCA, the catchment populations); pass 2 (BFCA
 * only) sums the balanced catchment populations; pass 3 sums the
 * accessibility. (Keeping the pairs of pass 1 for the later passes, in R
 * memory, was no faster on the benchmark: the garbage collections its
 * allocation set off cost what the second search saved.) Every sum runs in
 * a fixed order (a catchment population over the demand points in row
 * order; an accessibility over the supply points in the grid's order), so
 * the same input gives the same output, bit for bit. Interrupts are
 * checked every 1,024 demand points; all memory comes from R_alloc or R
 * vectors.
 *
 * Public (access.h): spr_c_access, a .Call entry registered in init.c.
 */
#include "access.h"

#include <limits.h>
#include <math.h>

#include "progress.h"

/* Demand or supply points: coordinates and population or capacity. */
typedef struct {
  int n;
  const double *x, *y, *value;
} points;

typedef struct {
  int kind;
  double max_dist, rate, edge; /* edge: exp(-1/2), the Gaussian's floor */
  int n_zones;
  const double *upper, *weight;
} decay;

/* Supply points sorted into grid cells. */
typedef struct {
  int nx, ny;
  double x0, y0, cell, inv; /* the grid's origin, cell side, 1 / side */
  double r2, r2_lo, r2_hi;   /* r * r; squared distances surely in, out */
  int *start;                /* nx * ny + 1 offsets into the sorted points */
  double *x, *y;             /* coordinates in cell order */
  int *id;                   /* 0-based supply row of each sorted point */
} grid;

/* Demand points between interrupt checks. */
#define ACCESS_CHUNK 1024

/* The demand points a pass over n leaves after its last full chunk. */
static inline double chunk_tail(int n) {
  return n > 0 ? n - ((n - 1) / ACCESS_CHUNK) * ACCESS_CHUNK : 0;
}

/* ---- distance decay ------------------------------------------------------ */

static inline double decay_weight(const decay *k, double d) {
  switch (k->kind) {
    case SPR_DECAY_LINEAR:
      return 1 - d / k->max_dist;
    case SPR_DECAY_GAUSSIAN: {
      double u = d / k->max_dist;
      return (exp(-0.5 * u * u) - k->edge) / (1 - k->edge);
    }
    case SPR_DECAY_EXPONENTIAL:
      return exp(-k->rate * d);
    case SPR_DECAY_ZONES:
      for (int z = 0; z < k->n_zones - 1; z++) {
        if (d <= k->upper[z]) return k->weight[z];
      }
      return k->weight[k->n_zones - 1];
    default:
      return 1;
  }
}

/* ---- the grid ------------------------------------------------------------ */

/* The cell column (or row) of coordinate v, clamped to 0..n-1. */
static inline int grid_cell(double v, double v0, double inv, int n) {
  double c = floor((v - v0) * inv);
  if (c < 0) return 0;
  if (c > n - 1) return n - 1;
  return (int)c;
}

static void grid_build(grid *g, const points *s, double max_dist) {
  int m = s->n;
  g->nx = g->ny = 0;
  if (m == 0) return;
  double xmin = s->x[0], xmax = s->x[0], ymin = s->y[0], ymax = s->y[0];
  for (int j = 1; j < m; j++) {
    if (s->x[j] < xmin) xmin = s->x[j];
    if (s->x[j] > xmax) xmax = s->x[j];
    if (s->y[j] < ymin) ymin = s->y[j];
    if (s->y[j] > ymax) ymax = s->y[j];
  }
  if (!R_FINITE(xmax - xmin) || !R_FINITE(ymax - ymin))
    spr_error("supply", 0, "The coordinates of `supply` span too wide a "
              "range.");
  /* sqrt(d2) <= max_dist for d2 below r2_lo, and > max_dist above r2_hi:
   * the margins are far above the rounding of r * r and of sqrt. Where r * r
   * would be denormal or overflow, every candidate takes the root. */
  double r2 = max_dist * max_dist;
  int normal = r2 > 1e-280 && r2 < 1e280;
  g->r2 = r2;
  g->r2_lo = normal ? r2 * (1 - 1e-10) : 0;
  g->r2_hi = normal ? r2 * (1 + 1e-10) : R_PosInf;
  double cell = max_dist / 2;
  double limit = 16.0 * m;
  if (limit < 65536) limit = 65536;
  if (limit > 16777216) limit = 16777216;
  double fx, fy;
  for (;;) {
    fx = floor((xmax - xmin) / cell) + 1;
    fy = floor((ymax - ymin) / cell) + 1;
    if (fx * fy <= limit) break;
    cell *= 2;
  }
  g->nx = (int)fx;
  g->ny = (int)fy;
  g->x0 = xmin;
  g->y0 = ymin;
  g->cell = cell;
  g->inv = 1 / cell;
  size_t ncell = (size_t)g->nx * g->ny;
  g->start = (int *)R_alloc(ncell + 1, sizeof(int));
  g->x = (double *)R_alloc((size_t)m, sizeof(double));
  g->y = (double *)R_alloc((size_t)m, sizeof(double));
  g->id = (int *)R_alloc((size_t)m, sizeof(int));
  int *where = (int *)R_alloc((size_t)m, sizeof(int));
  memset(g->start, 0, (ncell + 1) * sizeof(int));
  for (int j = 0; j < m; j++) {
    int c = grid_cell(s->y[j], g->y0, g->inv, g->ny) * g->nx +
            grid_cell(s->x[j], g->x0, g->inv, g->nx);
    where[j] = c;
    g->start[c + 1]++;
  }
  for (size_t c = 0; c < ncell; c++) g->start[c + 1] += g->start[c];
  /* Fill the cells, each in row order. */
  int *next = (int *)R_alloc(ncell, sizeof(int));
  memcpy(next, g->start, ncell * sizeof(int));
  for (int j = 0; j < m; j++) {
    int at = next[where[j]]++;
    g->x[at] = s->x[j];
    g->y[at] = s->y[j];
    g->id[at] = j;
  }
}

/* The supply points in reach of (px, py): their sorted positions in `k` and
 * weights in `w` (room for all m points); returns how many. */
static int grid_reach(const grid *g, const decay *dk, double px, double py,
                      int *k, double *w) {
  if (g->nx == 0) return 0;
  double r = dk->max_dist;
  int step = dk->kind == SPR_DECAY_STEP;
  /* Locals, so that the stores into w cannot make the compiler reload them. */
  const double r2 = g->r2, lo = g->r2_lo, hi = g->r2_hi;
  const double *gx = g->x, *gy = g->y;
  double rq = r * (1 + 1e-6) + 1e-12 * (fabs(px) + fabs(py));
  double fy0 = floor((py - rq - g->y0) * g->inv);
  double fy1 = floor((py + rq - g->y0) * g->inv);
  if (fy1 < 0 || fy0 > g->ny - 1) return 0;
  int r0 = fy0 < 0 ? 0 : (int)fy0, r1 = fy1 > g->ny - 1 ? g->ny - 1 : (int)fy1;
  int count = 0;
  for (int row = r0; row <= r1; row++) {
    /* The x-range of the (widened) circle over this row's strip. */
    double yb0 = g->y0 + row * g->cell, yb1 = yb0 + g->cell;
    double dy = py < yb0 ? yb0 - py : py > yb1 ? py - yb1 : 0;
    if (dy > rq) continue;
    double half = sqrt(rq * rq - dy * dy);
    double fx0 = floor((px - half - g->x0) * g->inv);
    double fx1 = floor((px + half - g->x0) * g->inv);
    if (fx1 < 0 || fx0 > g->nx - 1) continue;
    int c0 = fx0 < 0 ? 0 : (int)fx0;
    int c1 = fx1 > g->nx - 1 ? g->nx - 1 : (int)fx1;
    int from = g->start[row * g->nx + c0], to = g->start[row * g->nx + c1 + 1];
    /* Branch-free: every candidate is written, and kept by advancing the
     * count when d2 <= r * r. Near the edge (d2 within a relative 1e-10 of
     * r * r; rare) that test is not exact, so such a row is done again with
     * the exact one, sqrt(d2) <= r. */
    int first = count, near = 0;
    if (step) {
      for (int t = from; t < to; t++) {
        double dx = gx[t] - px, ddy = gy[t] - py;
        double d2 = dx * dx + ddy * ddy;
        k[count] = t;
        near |= (d2 >= lo) & (d2 <= hi);
        count += d2 <= r2;
      }
    } else {
      for (int t = from; t < to; t++) {
        double dx = gx[t] - px, ddy = gy[t] - py;
        double d2 = dx * dx + ddy * ddy;
        k[count] = t;
        w[count] = d2;
        near |= (d2 >= lo) & (d2 <= hi);
        count += d2 <= r2;
      }
    }
    if (near) {
      count = first;
      for (int t = from; t < to; t++) {
        double dx = gx[t] - px, ddy = gy[t] - py;
        double d2 = dx * dx + ddy * ddy;
        if (d2 > hi || (d2 >= lo && !(sqrt(d2) <= r))) continue;
        k[count] = t;
        w[count] = d2;
        count++;
      }
    }
  }
  /* The weights, from the squared distances. */
  if (step) {
    for (int t = 0; t < count; t++) w[t] = 1;
  } else {
    for (int t = 0; t < count; t++) w[t] = decay_weight(dk, sqrt(w[t]));
  }
  return count;
}

/* ---- the kernel ---------------------------------------------------------- */

/* Outputs, per demand point: access, n_supply; per supply point (in input
 * order): catchment, ratio, n_demand. Returns the number of pairs. */
static double fca_kernel(const points *dem, const points *sup, const decay *dk,
                         int method, double *access, int *n_supply,
                         double *catchment, double *ratio, int *n_demand,
                         spr_progress *p) {
  int n = dem->n, m = sup->n;
  grid g;
  grid_build(&g, sup, dk->max_dist);
  /* Per supply point, in the grid's order. */
  double *col_w = (double *)R_alloc((size_t)m + 1, sizeof(double));
  double *pop_in = (double *)R_alloc((size_t)m + 1, sizeof(double));
  double *rat = (double *)R_alloc((size_t)m + 1, sizeof(double));
  int *cnt = (int *)R_alloc((size_t)m + 1, sizeof(int));
  /* Per demand point. */
  double *row_w = (double *)R_alloc((size_t)n + 1, sizeof(double));
  /* One demand point's reach. */
  int *kk = (int *)R_alloc((size_t)m + 1, sizeof(int));
  double *ww = (double *)R_alloc((size_t)m + 1, sizeof(double));
  for (int t = 0; t < m; t++) {
    col_w[t] = pop_in[t] = 0;
    cnt[t] = 0;
  }
  int balanced = method == SPR_FCA_BALANCED;
  double pairs = 0;

  /* Pass 1: pairs, weight sums, and the 2SFCA catchment populations. */
  for (int i = 0; i < n; i++) {
    if (i % ACCESS_CHUNK == 0 && i > 0) spr_progress_add(p, ACCESS_CHUNK);
    int c = grid_reach(&g, dk, dem->x[i], dem->y[i], kk, ww);
    double pop = dem->value[i], s = 0;
    for (int t = 0; t < c; t++) {
      int j = kk[t];
      cnt[j]++;
      col_w[j] += ww[t];
      s += ww[t];
      if (!balanced) pop_in[j] += ww[t] * pop;
    }
    n_supply[i] = c;
    row_w[i] = s;
    pairs += c;
  }
  spr_progress_add(p, chunk_tail(n));

  /* Pass 2 (BFCA): each population shared among the supply in its reach. */
  if (balanced) {
    for (int i = 0; i < n; i++) {
      if (i % ACCESS_CHUNK == 0 && i > 0) spr_progress_add(p, ACCESS_CHUNK);
      double pop = dem->value[i];
      if (!(row_w[i] > 0) || pop == 0) continue;
      int c = grid_reach(&g, dk, dem->x[i], dem->y[i], kk, ww);
      for (int t = 0; t < c; t++) pop_in[kk[t]] += pop * (ww[t] / row_w[i]);
    }
    spr_progress_add(p, chunk_tail(n));
  }

  for (int t = 0; t < m; t++) {
    int j = g.id[t];
    rat[t] = pop_in[t] > 0 ? 1000 * sup->value[j] / pop_in[t] : NA_REAL;
    catchment[j] = pop_in[t];
    ratio[j] = rat[t];
    n_demand[j] = cnt[t];
  }

  /* Pass 3: accessibility. */
  for (int i = 0; i < n; i++) {
    if (i % ACCESS_CHUNK == 0 && i > 0) spr_progress_add(p, ACCESS_CHUNK);
    double a = 0;
    if (n_supply[i] > 0) {
      int c = grid_reach(&g, dk, dem->x[i], dem->y[i], kk, ww);
      for (int t = 0; t < c; t++) {
        int j = kk[t];
        if (!(pop_in[j] > 0)) continue;
        a += balanced ? rat[j] * (ww[t] / col_w[j]) : ww[t] * rat[j];
      }
    }
    access[i] = a;
  }
  spr_progress_add(p, chunk_tail(n));
  return pairs;
}

/* ---- the .Call entry ----------------------------------------------------- */

/* Points from list(x, y, value), checked as R checked them. */
static void points_arg(points *pt, SEXP list, const char *arg,
                       const char *value_name) {
  if (TYPEOF(list) != VECSXP || XLENGTH(list) != 3)
    SPR_INTERNAL("`%s` must be list(x, y, %s)", arg, value_name);
  for (int k = 0; k < 3; k++) {
    SEXP v = VECTOR_ELT(list, k);
    if (TYPEOF(v) != REALSXP)
      SPR_INTERNAL("`%s`: double vectors expected", arg);
    if (XLENGTH(v) != XLENGTH(VECTOR_ELT(list, 0)))
      SPR_INTERNAL("`%s`: vectors of different lengths", arg);
  }
  if (XLENGTH(VECTOR_ELT(list, 0)) > INT_MAX - 1)
    spr_error(arg, 0, "`%s` has too many points.", arg);
  pt->n = (int)XLENGTH(VECTOR_ELT(list, 0));
  pt->x = REAL(VECTOR_ELT(list, 0));
  pt->y = REAL(VECTOR_ELT(list, 1));
  pt->value = REAL(VECTOR_ELT(list, 2));
  for (int i = 0; i < pt->n; i++) {
    if (i % SPR_CHUNK == SPR_CHUNK - 1) R_CheckUserInterrupt();
    if (!R_FINITE(pt->x[i]) || !R_FINITE(pt->y[i]))
      spr_error(arg, i + 1, "Row %d of `%s` has a missing or infinite "
                "coordinate.", i + 1, arg);
    if (!R_FINITE(pt->value[i]) || pt->value[i] < 0)
      spr_error(arg, i + 1, "The %s of row %d of `%s` must be a finite "
                "number >= 0.", value_name, i + 1, arg);
  }
}

static void decay_arg(decay *dk, SEXP list, double max_dist) {
  if (TYPEOF(list) != VECSXP || XLENGTH(list) != 4 ||
      TYPEOF(VECTOR_ELT(list, 0)) != INTSXP ||
      XLENGTH(VECTOR_ELT(list, 0)) != 1 ||
      TYPEOF(VECTOR_ELT(list, 1)) != REALSXP ||
      XLENGTH(VECTOR_ELT(list, 1)) != 1 ||
      TYPEOF(VECTOR_ELT(list, 2)) != REALSXP ||
      TYPEOF(VECTOR_ELT(list, 3)) != REALSXP ||
      XLENGTH(VECTOR_ELT(list, 2)) != XLENGTH(VECTOR_ELT(list, 3)))
    SPR_INTERNAL("`decay` must be list(kind, rate, upper, weight)");
  dk->kind = INTEGER(VECTOR_ELT(list, 0))[0];
  dk->rate = REAL(VECTOR_ELT(list, 1))[0];
  dk->max_dist = max_dist;
  dk->edge = exp(-0.5);
  dk->n_zones = (int)XLENGTH(VECTOR_ELT(list, 2));
  dk->upper = REAL(VECTOR_ELT(list, 2));
  dk->weight = REAL(VECTOR_ELT(list, 3));
  if (dk->kind < SPR_DECAY_STEP || dk->kind > SPR_DECAY_ZONES)
    SPR_INTERNAL("unknown decay kind %d", dk->kind);
  if (dk->kind == SPR_DECAY_EXPONENTIAL &&
      !(R_FINITE(dk->rate) && dk->rate > 0))
    spr_error("rate", 0, "`rate` must be a positive number.");
  if (dk->kind == SPR_DECAY_ZONES) {
    if (dk->n_zones < 1) spr_error("zones", 0, "`zones` has no zone.");
    for (int z = 0; z < dk->n_zones; z++) {
      if (!R_FINITE(dk->upper[z]) ||
          (z > 0 && dk->upper[z] <= dk->upper[z - 1]))
        spr_error("zones", z + 1, "The zones' outer distances must increase.");
      if (!R_FINITE(dk->weight[z]) || dk->weight[z] < 0)
        spr_error("zones", z + 1, "Zone weights must be finite and >= 0.");
    }
  }
}

SEXP spr_c_access(SEXP demand_sexp, SEXP supply_sexp, SEXP max_dist_sexp,
                  SEXP method_sexp, SEXP decay_sexp) {
  int nprot = 0;
  points dem, sup;
  points_arg(&dem, demand_sexp, "demand", "population");
  points_arg(&sup, supply_sexp, "supply", "capacity");
  if (TYPEOF(max_dist_sexp) != REALSXP || XLENGTH(max_dist_sexp) != 1)
    SPR_INTERNAL("`max_dist` must be a double");
  double max_dist = REAL(max_dist_sexp)[0];
  if (!(R_FINITE(max_dist) && max_dist > 0))
    spr_error("max_dist", 0, "`max_dist` must be a positive number.");
  if (TYPEOF(method_sexp) != INTSXP || XLENGTH(method_sexp) != 1)
    SPR_INTERNAL("`method` must be an integer code");
  int method = INTEGER(method_sexp)[0];
  if (method != SPR_FCA_CLASSIC && method != SPR_FCA_BALANCED)
    SPR_INTERNAL("unknown method %d", method);
  decay dk;
  decay_arg(&dk, decay_sexp, max_dist);

  SEXP access = PROTECT(Rf_allocVector(REALSXP, dem.n)); nprot++;
  SEXP n_supply = PROTECT(Rf_allocVector(INTSXP, dem.n)); nprot++;
  SEXP catchment = PROTECT(Rf_allocVector(REALSXP, sup.n)); nprot++;
  SEXP ratio = PROTECT(Rf_allocVector(REALSXP, sup.n)); nprot++;
  SEXP n_demand = PROTECT(Rf_allocVector(INTSXP, sup.n)); nprot++;

  spr_progress p;
  double passes = method == SPR_FCA_BALANCED ? 3 : 2;
  PROTECT(spr_progress_start(&p, passes * dem.n, "accessibility")); nprot++;
  double pairs = fca_kernel(&dem, &sup, &dk, method, REAL(access),
                            INTEGER(n_supply), REAL(catchment), REAL(ratio),
                            INTEGER(n_demand), &p);
  spr_progress_done(&p);

  const char *names[] = {"access",          "supply_in_reach", "catchment",
                         "ratio",           "demand_in_reach", "pairs"};
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 6)); nprot++;
  SEXP nms = PROTECT(Rf_allocVector(STRSXP, 6)); nprot++;
  SET_VECTOR_ELT(out, 0, access);
  SET_VECTOR_ELT(out, 1, n_supply);
  SET_VECTOR_ELT(out, 2, catchment);
  SET_VECTOR_ELT(out, 3, ratio);
  SET_VECTOR_ELT(out, 4, n_demand);
  SET_VECTOR_ELT(out, 5, Rf_ScalarReal(pairs));
  for (int k = 0; k < 6; k++) SET_STRING_ELT(nms, k, Rf_mkChar(names[k]));
  Rf_setAttrib(out, R_NamesSymbol, nms);
  UNPROTECT(nprot);
  return out;
}
