/*
 * index.c -- a reusable spatial index of region polygons, and the location
 * of points in it (which region holds each point).
 *
 * The rule. A point is in a polygon when a horizontal ray from it crosses
 * the polygon's rings an odd number of times (the crossing-number or
 * even-odd test; E. Haines, "Point in polygon strategies", Graphics Gems IV,
 * 1994), over all rings of the polygon, so holes and enclaves need no
 * special case. An edge counts when y0 <= py < y1 (its lower end first)
 * and the crossing x = x0 + (py - y0) (x1 - x0) / (y1 - y0) lies to the
 * right of the point (px < x). Horizontal edges never count and are not
 * stored. The crossing is computed from the edge with its lower end first,
 * so two regions that share an edge compute the same number for it, and a
 * point on the edge goes to exactly one of them: like the half-open square
 * [x0, x1) x [y0, y1), a region holds the points on its west and south
 * boundary, not those on its east and north boundary (formally: the region
 * that holds the point moved east by an infinitesimal d and north by d^2).
 * Each polygon (outer ring and its holes) is tested on its own, a region
 * holds a point when one of its polygons does, and when regions overlap
 * the point goes to the first of them in row order.
 *
 * The grid. A uniform grid covers the bounding box of all edges, with
 * about `cells_per_edge` cells per (non-horizontal) edge (1 by default:
 * a cell a little larger than a typical edge, so a cell holds few edges;
 * the idea of grid cells that either need no test or only a few local
 * edges is Zalik and Kolingerova's, "A cell-based point-in-polygon
 * algorithm suitable for large sets of points", Computers & Geosciences
 * 27, 2001). For each polygon P and grid row j, the edges of P that touch
 * row j's strip are cut into "segments": the columns a..b the edge's part
 * in the strip touches. Sweeping the row's columns left to right splits the
 * edges of P for the cell (i, j) into L (touching the cell), Left (in the
 * strip, wholly left of the cell) and the rest. Because a closed ring
 * crosses every horizontal line an even number of times, the ray count to
 * the right equals the count to the left, so for a point p in the cell
 *
 *   inside(p) = XOR over L    of [crosses(py) and not px < x]
 *           XOR XOR over Left of [y0 <= py < y1]
 *
 * and the second term, a function of py alone, is stored per cell as a
 * parity bit (`base`) and a short list of breakpoints t in the row's
 * y-range ([py >= t] toggles it): the y of each Left edge's ends, where
 * ends shared by two Left edges cancel. A cell without L edges and without
 * breakpoints is wholly inside or wholly outside P; the "inside" ones get a
 * FULL record and their points need no edge test. This gives the same
 * answer as the crossing test over all edges of P, bit for bit (the row
 * and column of a coordinate come from one monotone formula used both when
 * building and when querying, and the x-range of a segment is widened by
 * eps, far above the rounding error of the crossing formula).
 *
 * Layout. The index is built row by row: the segments of all edges are
 * bucketed by row (within a row they stay in polygon, then edge, order),
 * each polygon's run of segments is sorted by column and swept, and the
 * row's records are sorted by column, so that a cell's records come in
 * polygon order (hence region order). A cell whose only record is FULL
 * stores its region in its cell code (code >= 0), an empty cell -1, any
 * other cell -(k + 2) where k is the offset of its first record in one
 * array of 8-byte slots: per record {region, flags}, {n_edge, n_bp}, the
 * breakpoints, then the edges (x0, y0, x1, y1) copied in, so that all a
 * query needs is contiguous in memory, after one cache miss. Queries run in
 * blocks of 64 points: first every cell code is prefetched, then every record
 * the codes point to, then the points are answered, so the cache misses of a
 * block overlap. Why a uniform grid rather than a tree of polygon boxes (GEOS'
 * STRtree, as sf uses) or s2's cell covering: a point then costs one
 * multiplication per axis and one memory read in most cases, with no
 * candidate list and no test over whole polygons; building costs a few
 * passes over the edges. Its weakness, very unevenly detailed layers,
 * shows in the query only for points in the few crowded cells.
 *
 * Memory. The index is malloc'd and owned by an external pointer whose
 * finalizer frees it; so is the scratch used while building, so an error
 * or an interrupt during the build leaks nothing. Everything is
 * deterministic: the same regions give the same index and the same answers.
 *
 * Public (index.h): spr_c_index_build, spr_c_index_info, spr_c_index_locate
 * and spr_c_point_coords, .Call entries registered in init.c.
 */
#include "index.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "progress.h"
#include "regions.h"

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

/* An edge with its lower end first: y0 < y1. */
typedef struct {
  double x0, y0, x1, y1;
} edge;

#define REC_BASE 1 /* the parity from edges left of the cell at its bottom */
#define REC_FULL 2 /* the cell lies wholly inside the polygon */
#define REC_LAST 4 /* the last record of its cell */

/* A slot of the record blob: a double, or two ints. */
typedef union {
  double d;
  int32_t i[2];
} slot;

/* What one polygon looks like in one cell, while building. In the index a
 * record is a run of slots: {region, flags}, {n_edge, n_bp}, the n_bp
 * breakpoints, then the n_edge edges (x0, y0, x1, y1). */
typedef struct {
  int region; /* 0-based row of the region */
  int flags;
  int e_off, n_edge; /* the cell's own edges of the polygon */
  int bp_off, n_bp;  /* breakpoints of the parity from edges to the left */
} record;

/* The part of edge e in one grid row touches columns a..b. */
typedef struct {
  int a, b, e;
} segment;

/* A growable array of `size`-byte items. */
typedef struct {
  char *data;
  size_t n, cap, size;
} buffer;

/* At most this many grid cells (64 MB of cell codes). */
#define MAX_CELLS (1 << 24)

typedef struct {
  int ready;
  int n_regions, n_polygons, n_edges;
  int nx, ny;
  double gx0, gy0, gx1, gy1; /* the grid's box */
  double cw, ch, inv_cw, inv_ch, eps;
  int *cell;   /* nx * ny cell codes, row-major from the bottom left */
  buffer blob; /* the records of cells that need more than a cell code */
  size_t n_rec, n_edge_copies, n_bp, bytes;
  /* scratch while building */
  edge *flat;       /* all edges, polygon by polygon */
  int *poly_start;  /* n_polygons + 1 offsets into flat */
  int *poly_region; /* region of each polygon */
  double *row_lo, *row_hi;
  int *row_start; /* ny + 1 offsets into segs, by row */
  segment *segs;  /* the segments of all edges, by row, then by edge */
  int *col_start; /* nx + 1, for sorting a row's records by column */
  buffer active, bpset, order, tmp;
  buffer t_rec, t_col, t_edge, t_bp; /* records of the current row */
} spr_index;

static void buffer_free(buffer *b) {
  free(b->data);
  b->data = NULL;
  b->n = b->cap = 0;
}

static void free_scratch(spr_index *p) {
  free(p->poly_start);
  free(p->poly_region);
  free(p->row_lo);
  free(p->row_hi);
  free(p->row_start);
  free(p->segs);
  free(p->col_start);
  free(p->flat);
  p->flat = NULL;
  p->poly_start = p->poly_region = p->row_start = p->col_start = NULL;
  p->row_lo = p->row_hi = NULL;
  p->segs = NULL;
  buffer_free(&p->active);
  buffer_free(&p->bpset);
  buffer_free(&p->order);
  buffer_free(&p->tmp);
  buffer_free(&p->t_rec);
  buffer_free(&p->t_col);
  buffer_free(&p->t_edge);
  buffer_free(&p->t_bp);
}

static void index_free(spr_index *p) {
  free_scratch(p);
  free(p->cell);
  buffer_free(&p->blob);
  free(p);
}

static void index_finalize(SEXP ptr) {
  spr_index *p = (spr_index *)R_ExternalPtrAddr(ptr);
  if (p != NULL) {
    index_free(p);
    R_ClearExternalPtr(ptr);
  }
}

/* Errors while building: the scratch belongs to the external pointer, so
 * raising here leaks nothing. */
static void out_of_memory(double bytes) {
  spr_error("regions", 0,
            "Cannot allocate %.0f MB of memory for the region index.",
            bytes / 1048576.0 + 0.5);
}

static void *xmalloc(size_t n, size_t size) {
  if (n == 0) n = 1;
  if (n > SIZE_MAX / size) out_of_memory((double)n * (double)size);
  void *p = malloc(n * size);
  if (p == NULL) out_of_memory((double)n * (double)size);
  return p;
}

static void buffer_init(buffer *b, size_t size) {
  b->data = NULL;
  b->n = b->cap = 0;
  b->size = size;
}

static void buffer_grow(buffer *b, size_t extra) {
  size_t cap = b->cap < 1024 ? 1024 : b->cap;
  while (cap < b->n + extra) cap *= 2;
  if (cap > SIZE_MAX / b->size) out_of_memory((double)cap * (double)b->size);
  char *data = (char *)realloc(b->data, cap * b->size);
  if (data == NULL) out_of_memory((double)cap * (double)b->size);
  b->data = data;
  b->cap = cap;
}

/* Room for `extra` more items; returns the first free slot. */
static inline void *buffer_room(buffer *b, size_t extra) {
  if (b->n + extra > b->cap) buffer_grow(b, extra);
  return b->data + b->n * b->size;
}

/* ---- the grid: one monotone formula for rows and columns ---------------- */

static inline int col_of(const spr_index *p, double x) {
  double f = (x - p->gx0) * p->inv_cw;
  if (!(f >= 0)) return 0;
  if (f >= p->nx) return p->nx - 1;
  return (int)f;
}

static inline int row_of(const spr_index *p, double y) {
  double f = (y - p->gy0) * p->inv_ch;
  if (!(f >= 0)) return 0;
  if (f >= p->ny) return p->ny - 1;
  return (int)f;
}

/* The strip of row j, widened by eps: every y whose row is j lies in
 * [row_lo[j], row_hi[j]]. */
static void set_rows(spr_index *p) {
  p->row_lo = (double *)xmalloc((size_t)p->ny, sizeof(double));
  p->row_hi = (double *)xmalloc((size_t)p->ny, sizeof(double));
  for (int j = 0; j < p->ny; j++) {
    p->row_lo[j] = p->gy0 + j * p->ch - p->eps;
    p->row_hi[j] = p->gy0 + (j + 1) * p->ch + p->eps;
  }
}

static inline double edge_x_at(const edge *e, double y) {
  if (y <= e->y0) return e->x0;
  if (y >= e->y1) return e->x1;
  return e->x0 + (y - e->y0) * (e->x1 - e->x0) / (e->y1 - e->y0);
}

/* The rows j0..j1 whose strip the edge touches: y1 >= row_lo[j] and
 * y0 <= row_hi[j]. */
static inline void edge_rows(const spr_index *p, const edge *e, int *j0,
                             int *j1) {
  int a = row_of(p, e->y0), b = row_of(p, e->y1);
  while (a > 0 && p->row_hi[a - 1] >= e->y0) a--;
  while (b < p->ny - 1 && p->row_lo[b + 1] <= e->y1) b++;
  *j0 = a;
  *j1 = b;
}

/* ---- flattening the sf geometry into edges ------------------------------ */

static void check_ring(SEXP ring, int region, int *nrow) {
  SEXP dim = Rf_getAttrib(ring, R_DimSymbol);
  if (TYPEOF(ring) != REALSXP || TYPEOF(dim) != INTSXP || XLENGTH(dim) != 2 ||
      INTEGER(dim)[1] < 2) {
    spr_error("regions", region + 1,
              "The geometry of row %d of `regions` has a ring that is not a "
              "numeric matrix with x and y columns.",
              region + 1);
  }
  *nrow = INTEGER(dim)[0];
}

/* The rings of polygon `poly` (a list of ring matrices) of region `region`:
 * when `fill` is 0 checks the layout and counts vertices, else appends the
 * edges to p->flat, checking the coordinates. */
static size_t polygon_edges(spr_index *p, SEXP poly, int region, int fill) {
  if (TYPEOF(poly) != VECSXP) {
    spr_error("regions", region + 1,
              "The geometry of row %d of `regions` is not a list of rings "
              "(sf layout).",
              region + 1);
  }
  size_t count = 0;
  R_xlen_t nring = XLENGTH(poly);
  for (R_xlen_t k = 0; k < nring; k++) {
    SEXP ring = VECTOR_ELT(poly, k);
    int m;
    check_ring(ring, region, &m);
    count += (size_t)m;
    if (!fill) continue;
    const double *v_x = REAL(ring), *v_y = v_x + m;
    int finite = 1;
    for (int v = 0; v < 2 * m; v++) finite &= isfinite(v_x[v]) != 0;
    if (!finite) {
      spr_error("regions", region + 1,
                "The geometry of row %d of `regions` has a missing or "
                "infinite coordinate.",
                region + 1);
    }
    /* Each vertex to the next, the last back to the first: a ring given
     * closed adds a zero-length (horizontal) edge, which is dropped. */
    edge *e = p->flat + p->n_edges;
    for (int v = 0; v < m; v++) {
      int w = v + 1 == m ? 0 : v + 1;
      double xa = v_x[v], ya = v_y[v], xb = v_x[w], yb = v_y[w];
      int up = ya < yb;
      e->x0 = up ? xa : xb;
      e->y0 = up ? ya : yb;
      e->x1 = up ? xb : xa;
      e->y1 = up ? yb : ya;
      e += ya != yb;
    }
    p->n_edges = (int)(e - p->flat);
  }
  return count;
}

static void flatten(spr_index *p, SEXP geom, int depth) {
  R_xlen_t n = XLENGTH(geom);
  if (n >= INT_MAX) {
    spr_error("regions", 0, "`regions` has more than %d rows.", INT_MAX - 1);
  }
  p->n_regions = (int)n;
  size_t n_vertex = 0, n_poly = 0;
  for (R_xlen_t r = 0; r < n; r++) {
    SEXP g = VECTOR_ELT(geom, r);
    if (TYPEOF(g) != VECSXP) {
      spr_error("regions", (int)r + 1,
                "The geometry of row %d of `regions` is not a %s in the sf "
                "layout.",
                (int)r + 1, depth == 2 ? "MULTIPOLYGON" : "POLYGON");
    }
    if (depth == 2) {
      for (R_xlen_t k = 0; k < XLENGTH(g); k++) {
        n_vertex += polygon_edges(p, VECTOR_ELT(g, k), (int)r, 0);
        n_poly++;
      }
    } else {
      n_vertex += polygon_edges(p, g, (int)r, 0);
      n_poly++;
    }
  }
  if (n_vertex >= INT_MAX || n_poly >= INT_MAX) {
    spr_error("regions", 0, "`regions` has more than %d vertices.",
              INT_MAX - 1);
  }
  p->flat = (edge *)xmalloc(n_vertex, sizeof(edge));
  p->poly_start = (int *)xmalloc(n_poly + 1, sizeof(int));
  p->poly_region = (int *)xmalloc(n_poly, sizeof(int));
  p->n_edges = 0;
  int u = 0;
  size_t since_check = 0;
  for (R_xlen_t r = 0; r < n; r++) {
    SEXP g = VECTOR_ELT(geom, r);
    R_xlen_t np = depth == 2 ? XLENGTH(g) : 1;
    for (R_xlen_t k = 0; k < np; k++) {
      p->poly_start[u] = p->n_edges;
      p->poly_region[u] = (int)r;
      since_check +=
          polygon_edges(p, depth == 2 ? VECTOR_ELT(g, k) : g, (int)r, 1);
      u++;
    }
    if (since_check > SPR_CHUNK) {
      R_CheckUserInterrupt();
      since_check = 0;
    }
  }
  p->poly_start[u] = p->n_edges;
  p->n_polygons = u;
  if (p->n_edges > 0 && (size_t)p->n_edges < n_vertex) {
    edge *shrunk = (edge *)realloc(p->flat, (size_t)p->n_edges * sizeof(edge));
    if (shrunk != NULL) p->flat = shrunk;
  }
}

/* ---- the grid ----------------------------------------------------------- */

static void choose_grid(spr_index *p, double cells_per_edge) {
  if (p->n_edges == 0) {
    p->nx = p->ny = 1;
    p->gx0 = p->gy0 = 0;
    p->gx1 = p->gy1 = -1; /* an empty box: every point is outside */
    p->cw = p->ch = p->inv_cw = p->inv_ch = 1;
    p->eps = 0;
    return;
  }
  double xmin = R_PosInf, xmax = R_NegInf, ymin = R_PosInf, ymax = R_NegInf;
  for (int k = 0; k < p->n_edges; k++) {
    const edge *e = p->flat + k;
    if (e->x0 < xmin) xmin = e->x0;
    if (e->x1 < xmin) xmin = e->x1;
    if (e->x0 > xmax) xmax = e->x0;
    if (e->x1 > xmax) xmax = e->x1;
    if (e->y0 < ymin) ymin = e->y0;
    if (e->y1 > ymax) ymax = e->y1;
  }
  double w = xmax - xmin, h = ymax - ymin;
  double big = fmax(fmax(fabs(xmin), fabs(xmax)), fmax(fabs(ymin), fabs(ymax)));
  double scale = big + fmax(w, h);
  /* eps is some 10^6 times the rounding error of a crossing; pad keeps
   * every vertex well inside the grid. */
  p->eps = 1e-10 * scale;
  double pad = 1e-9 * scale;
  p->gx0 = xmin - pad;
  p->gx1 = xmax + pad;
  p->gy0 = ymin - pad;
  p->gy1 = ymax + pad;
  double gw = p->gx1 - p->gx0, gh = p->gy1 - p->gy0;
  double target = cells_per_edge * p->n_edges;
  if (target < 1) target = 1;
  if (target > MAX_CELLS) target = MAX_CELLS;
  double side = sqrt(gw * gh / target);
  double nx = ceil(gw / side), ny = ceil(gh / side);
  if (!(nx >= 1)) nx = 1;
  if (!(ny >= 1)) ny = 1;
  if (nx > MAX_CELLS) nx = MAX_CELLS;
  if (ny > MAX_CELLS) ny = MAX_CELLS;
  while (nx * ny > MAX_CELLS) {
    if (nx > 1) nx = ceil(nx / 2);
    if (ny > 1) ny = ceil(ny / 2);
  }
  p->nx = (int)nx;
  p->ny = (int)ny;
  p->cw = gw / p->nx;
  p->ch = gh / p->ny;
  p->inv_cw = p->nx / gw;
  p->inv_ch = p->ny / gh;
}

/* ---- records ------------------------------------------------------------ */

/* Toggle breakpoint t of the parity from edges left of the cell: below the
 * row it flips the base, above it never matters, inside it is kept in the
 * set (two equal ends cancel). */
static inline void toggle(spr_index *p, double t, double lo, double hi,
                          int *base) {
  if (t <= lo) {
    *base ^= 1;
    return;
  }
  if (t > hi) return;
  double *set = (double *)p->bpset.data;
  for (size_t k = 0; k < p->bpset.n; k++) {
    if (set[k] == t) {
      set[k] = set[--p->bpset.n];
      return;
    }
  }
  *(double *)buffer_room(&p->bpset, 1) = t;
  p->bpset.n++;
}

/* A record of the current row, for column `col`. */
static void emit(spr_index *p, int region, int col, int flags,
                 const segment *segs, const int *active, int n_active) {
  record *r = (record *)buffer_room(&p->t_rec, 1);
  int *c = (int *)buffer_room(&p->t_col, 1);
  *c = col;
  r->region = region;
  r->flags = flags;
  r->e_off = (int)p->t_edge.n;
  r->n_edge = n_active;
  r->bp_off = (int)p->t_bp.n;
  r->n_bp = (int)p->bpset.n;
  if (n_active > 0) {
    int *e = (int *)buffer_room(&p->t_edge, (size_t)n_active);
    for (int k = 0; k < n_active; k++) e[k] = segs[active[k]].e;
    p->t_edge.n += (size_t)n_active;
  }
  if (p->bpset.n > 0) {
    double *b = (double *)buffer_room(&p->t_bp, p->bpset.n);
    memcpy(b, p->bpset.data, p->bpset.n * sizeof(double));
    p->t_bp.n += p->bpset.n;
  }
  p->t_rec.n++;
  p->t_col.n++;
}

/* (a, b) as one key: the segments of a polygon in a row arrive by edge, so
 * a stable sort on this key orders them by (a, b, e). */
static inline int64_t segment_key(const segment *s) {
  return ((int64_t)s->a << 32) | (int64_t)(uint32_t)s->b;
}

/* Sort by (a, b), stably: insertion sort for short runs, else a bottom-up
 * merge sort through the scratch buffer `tmp` (a polygon's segments in a
 * row come as a few runs along its rings, which merging handles well). */
static void sort_segments(spr_index *p, segment *s, int n) {
  if (n <= 24) {
    for (int i = 1; i < n; i++) {
      segment v = s[i];
      int64_t key = segment_key(&v);
      int k = i;
      while (k > 0 && key < segment_key(&s[k - 1])) {
        s[k] = s[k - 1];
        k--;
      }
      s[k] = v;
    }
    return;
  }
  p->tmp.n = 0;
  segment *t = (segment *)buffer_room(&p->tmp, (size_t)n);
  segment *from = s, *to = t;
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n;
      int hi = lo + 2 * width < n ? lo + 2 * width : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        to[k++] = segment_key(&from[j]) < segment_key(&from[i]) ? from[j++]
                                                                : from[i++];
      }
      while (i < mid) to[k++] = from[i++];
      while (j < hi) to[k++] = from[j++];
    }
    segment *swap = from;
    from = to;
    to = swap;
  }
  if (from != s) memcpy(s, from, (size_t)n * sizeof(segment));
}

/* Sweep the segments s[0..n) of polygon u in row j, sorted by column,
 * emitting the row's records for u. */
static void sweep(spr_index *p, int u, int j, const segment *s, int n) {
  int region = p->poly_region[u];
  double lo = p->row_lo[j], hi = p->row_hi[j];
  int *active = (int *)p->active.data;
  int n_active = 0, base = 0, q = 0, i = s[0].a;
  p->bpset.n = 0;
  for (;;) {
    while (q < n && s[q].a <= i) active[n_active++] = q++;
    int w = 0;
    for (int k = 0; k < n_active; k++) {
      const segment *g = s + active[k];
      if (g->b < i) {
        const edge *e = p->flat + g->e;
        toggle(p, e->y0, lo, hi, &base);
        toggle(p, e->y1, lo, hi, &base);
      } else {
        active[w++] = active[k];
      }
    }
    n_active = w;
    if (n_active > 0 || p->bpset.n > 0) {
      emit(p, region, i, base ? REC_BASE : 0, s, active, n_active);
      if (++i >= p->nx) break;
    } else {
      int next = q < n ? s[q].a : p->nx;
      if (base) {
        for (int c = i; c < next; c++) emit(p, region, c, REC_FULL, s, NULL, 0);
      }
      if (q >= n) break;
      i = next;
    }
  }
  /* Past the last segment every edge of the row lies to the left, and a
   * closed ring crosses every line an even number of times. */
  if (q >= n && n_active == 0 && (base != 0 || p->bpset.n != 0)) {
    SPR_INTERNAL("parity %d with %d breakpoints after polygon %d, row %d", base,
                 (int)p->bpset.n, u + 1, j);
  }
}

/* The segments of every edge, bucketed by row (and so by polygon, then
 * edge, within a row). */
static void make_segments(spr_index *p) {
  int ny = p->ny;
  int *start = p->row_start = (int *)xmalloc((size_t)ny + 1, sizeof(int));
  memset(start, 0, ((size_t)ny + 1) * sizeof(int));
  size_t total = 0;
  for (int k = 0; k < p->n_edges; k++) {
    int j0, j1;
    edge_rows(p, p->flat + k, &j0, &j1);
    for (int j = j0; j <= j1; j++) start[j + 1]++;
    total += (size_t)(j1 - j0 + 1);
  }
  if (total >= INT_MAX) {
    spr_error("regions", 0,
              "The regions are too detailed to index (%.0f edge pieces).",
              (double)total);
  }
  for (int j = 0; j < ny; j++) start[j + 1] += start[j];
  segment *segs = p->segs = (segment *)xmalloc(total, sizeof(segment));
  int *pos = (int *)buffer_room(&p->order, (size_t)ny);
  memcpy(pos, start, (size_t)ny * sizeof(int));
  for (int k = 0; k < p->n_edges; k++) {
    const edge *e = p->flat + k;
    int j0, j1;
    edge_rows(p, e, &j0, &j1);
    if (j0 == j1) {
      segment *g = segs + pos[j0]++;
      g->a = col_of(p, fmin(e->x0, e->x1) - p->eps);
      g->b = col_of(p, fmax(e->x0, e->x1) + p->eps);
      g->e = k;
      continue;
    }
    for (int j = j0; j <= j1; j++) {
      double xa = edge_x_at(e, p->row_lo[j]), xb = edge_x_at(e, p->row_hi[j]);
      segment *g = segs + pos[j]++;
      g->a = col_of(p, fmin(xa, xb) - p->eps);
      g->b = col_of(p, fmax(xa, xb) + p->eps);
      g->e = k;
    }
  }
}

/* The polygon that edge k belongs to, searching from polygon `from` on
 * (galloping, then bisecting). */
static int polygon_of(const spr_index *p, int from, int k) {
  int lo = from, step = 1, hi = from;
  while (hi + 1 < p->n_polygons && p->poly_start[hi + 1] <= k) {
    lo = hi + 1;
    hi = lo + step < p->n_polygons - 1 ? lo + step : p->n_polygons - 1;
    step *= 2;
    if (p->poly_start[hi] > k) break;
    lo = hi;
  }
  /* now poly_start[lo] <= k, and the answer is in lo..hi */
  while (lo < hi) {
    int mid = lo + (hi - lo + 1) / 2;
    if (p->poly_start[mid] <= k) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

/* Sort the current row's records by column (stably, so by polygon within a
 * cell), fold cells whose only record is FULL into their cell code, and
 * append the others, with their edges and breakpoints, to the index. */
static void finish_row(spr_index *p, int j) {
  int nx = p->nx;
  size_t n = p->t_rec.n;
  int *cell = p->cell + (size_t)j * (size_t)nx;
  if (n == 0) {
    for (int c = 0; c < nx; c++) cell[c] = -1;
    return;
  }
  const record *tr = (const record *)p->t_rec.data;
  const int *tc = (const int *)p->t_col.data;
  const int *te = (const int *)p->t_edge.data;
  const double *tb = (const double *)p->t_bp.data;
  int *start = p->col_start;
  memset(start, 0, ((size_t)nx + 1) * sizeof(int));
  for (size_t k = 0; k < n; k++) start[tc[k] + 1]++;
  for (int c = 0; c < nx; c++) start[c + 1] += start[c];
  p->order.n = 0;
  int *order = (int *)buffer_room(&p->order, n);
  for (size_t k = 0; k < n; k++) order[start[tc[k]]++] = (int)k;
  /* start[c] is now the end of column c's records. */
  size_t need = 2 * n + p->t_bp.n + 4 * p->t_edge.n;
  if (p->blob.n + need >= INT_MAX - 2) {
    spr_error("regions", 0,
              "The region index would need more than %d slots; the "
              "regions are too detailed.",
              INT_MAX - 2);
  }
  slot *d = (slot *)buffer_room(&p->blob, need);
  const slot *d0 = (const slot *)p->blob.data;
  int first = 0;
  for (int c = 0; c < nx; c++) {
    int last = start[c];
    if (last == first) {
      cell[c] = -1;
    } else if (last - first == 1 && (tr[order[first]].flags & REC_FULL)) {
      cell[c] = tr[order[first]].region;
    } else {
      cell[c] = -(int)(d - d0) - 2;
      for (int k = first; k < last; k++) {
        const record *src = tr + order[k];
        d[0].i[0] = src->region;
        d[0].i[1] = src->flags | (k == last - 1 ? REC_LAST : 0);
        d[1].i[0] = src->n_edge;
        d[1].i[1] = src->n_bp;
        d += 2;
        for (int m = 0; m < src->n_bp; m++) (d++)->d = tb[src->bp_off + m];
        for (int m = 0; m < src->n_edge; m++) {
          const edge *e = p->flat + te[src->e_off + m];
          d[0].d = e->x0;
          d[1].d = e->y0;
          d[2].d = e->x1;
          d[3].d = e->y1;
          d += 4;
        }
        p->n_rec++;
        p->n_edge_copies += (size_t)src->n_edge;
        p->n_bp += (size_t)src->n_bp;
      }
    }
    first = last;
  }
  p->blob.n = (size_t)(d - d0);
}

static void build_rows(spr_index *p) {
  size_t ncell = (size_t)p->nx * (size_t)p->ny;
  p->cell = (int *)xmalloc(ncell, sizeof(int));
  p->col_start = (int *)xmalloc((size_t)p->nx + 1, sizeof(int));
  /* Room for what a typical layer needs, so the blob rarely grows. */
  buffer_room(&p->blob, (size_t)p->n_edges * 8);
  int widest = 0;
  for (int j = 0; j < p->ny; j++) {
    int w = p->row_start[j + 1] - p->row_start[j];
    if (w > widest) widest = w;
  }
  buffer_room(&p->active, (size_t)widest);
  size_t since_check = 0;
  for (int j = 0; j < p->ny; j++) {
    p->t_rec.n = p->t_col.n = p->t_edge.n = p->t_bp.n = 0;
    int k = p->row_start[j], end = p->row_start[j + 1], u = 0;
    while (k < end) {
      /* The polygons of a row come in increasing order. */
      u = polygon_of(p, u, p->segs[k].e);
      int stop = p->poly_start[u + 1], m = k;
      while (m < end && p->segs[m].e < stop) {
        PREFETCH(p->flat + p->segs[m].e);
        m++;
      }
      sort_segments(p, p->segs + k, m - k);
      sweep(p, u, j, p->segs + k, m - k);
      k = m;
    }
    finish_row(p, j);
    since_check += (size_t)(end - p->row_start[j]) + (size_t)p->nx;
    if (since_check > SPR_CHUNK) {
      R_CheckUserInterrupt();
      since_check = 0;
    }
  }
  if (p->blob.n > 0 && p->blob.n < p->blob.cap) {
    char *shrunk = (char *)realloc(p->blob.data, p->blob.n * sizeof(slot));
    if (shrunk != NULL) {
      p->blob.data = shrunk;
      p->blob.cap = p->blob.n;
    }
  }
  p->bytes =
      sizeof(spr_index) + ncell * sizeof(int) + p->blob.cap * sizeof(slot);
}

SEXP spr_c_index_build(SEXP geom_sexp, SEXP depth_sexp,
                       SEXP cells_per_edge_sexp) {
  if (TYPEOF(geom_sexp) != VECSXP) SPR_INTERNAL("geom must be a list");
  if (TYPEOF(depth_sexp) != INTSXP || XLENGTH(depth_sexp) != 1 ||
      (INTEGER(depth_sexp)[0] != 1 && INTEGER(depth_sexp)[0] != 2)) {
    SPR_INTERNAL("depth must be 1L or 2L");
  }
  if (TYPEOF(cells_per_edge_sexp) != REALSXP ||
      XLENGTH(cells_per_edge_sexp) != 1 ||
      !(REAL(cells_per_edge_sexp)[0] > 0)) {
    SPR_INTERNAL("cells_per_edge must be a positive number");
  }
  /* The pointer exists, with its finalizer, before any memory it owns. */
  SEXP ptr = PROTECT(
      R_MakeExternalPtr(NULL, Rf_install("spreiding_index"), R_NilValue));
  R_RegisterCFinalizerEx(ptr, index_finalize, TRUE);
  spr_index *p = (spr_index *)calloc(1, sizeof(spr_index));
  if (p == NULL) out_of_memory((double)sizeof(spr_index));
  R_SetExternalPtrAddr(ptr, p);
  buffer_init(&p->blob, sizeof(slot));
  buffer_init(&p->active, sizeof(int));
  buffer_init(&p->bpset, sizeof(double));
  buffer_init(&p->order, sizeof(int));
  buffer_init(&p->tmp, sizeof(segment));
  buffer_init(&p->t_rec, sizeof(record));
  buffer_init(&p->t_col, sizeof(int));
  buffer_init(&p->t_edge, sizeof(int));
  buffer_init(&p->t_bp, sizeof(double));

  flatten(p, geom_sexp, INTEGER(depth_sexp)[0]);
  choose_grid(p, REAL(cells_per_edge_sexp)[0]);
  set_rows(p);
  make_segments(p);
  build_rows(p);
  free_scratch(p);
  p->ready = 1;
  UNPROTECT(1);
  return ptr;
}

/* ---- queries ------------------------------------------------------------ */

static spr_index *get_index(SEXP ptr) {
  if (TYPEOF(ptr) != EXTPTRSXP ||
      R_ExternalPtrTag(ptr) != Rf_install("spreiding_index")) {
    SPR_INTERNAL("not a spreiding index pointer");
  }
  spr_index *p = (spr_index *)R_ExternalPtrAddr(ptr);
  if (p == NULL || !p->ready) {
    spr_error("regions", 0,
              "The region index is no longer valid: an index lives only in "
              "the R session that built it (it does not survive saveRDS() "
              "or a restart). Build it again with region_index().");
  }
  return p;
}

/* The cell code of (px, py): -1 outside the grid (or for NaN). */
static inline int cell_index(const spr_index *p, double px, double py) {
  if (!(px >= p->gx0 && px <= p->gx1 && py >= p->gy0 && py <= p->gy1)) {
    return -1;
  }
  return row_of(p, py) * p->nx + col_of(p, px);
}

/* The 0-based region holding (px, py) in a cell whose code is <= -2, or
 * -1. */
static inline int locate_in(const spr_index *p, int code, double px,
                            double py) {
  const slot *r = (const slot *)p->blob.data + (-(code + 2));
  for (;;) {
    int flags = r[0].i[1];
    if (flags & REC_FULL) return r[0].i[0];
    int in = flags & REC_BASE, n_edge = r[1].i[0], n_bp = r[1].i[1];
    const slot *v = r + 2;
    for (int k = 0; k < n_bp; k++) in ^= py >= v[k].d;
    v += n_bp;
    for (int k = 0; k < n_edge; k++, v += 4) {
      double x0 = v[0].d, y0 = v[1].d, x1 = v[2].d, y1 = v[3].d;
      if (y0 <= py && py < y1) {
        double x = x0 + (py - y0) * (x1 - x0) / (y1 - y0);
        in ^= !(px < x);
      }
    }
    if (in) return r[0].i[0];
    if (flags & REC_LAST) return -1;
    r = v;
  }
}

/* Points in blocks: first the cells (prefetched), then the codes (and the
 * records they point to, prefetched), then the answers, so that the cache
 * misses of a block overlap. */
#define BLOCK 64

static void locate_block(const spr_index *p, const double *v_x,
                         const double *v_y, int n, int *v_out) {
  int idx[BLOCK], code[BLOCK];
  const slot *blob = (const slot *)p->blob.data;
  for (int k = 0; k < n; k++) {
    idx[k] = cell_index(p, v_x[k], v_y[k]);
    if (idx[k] >= 0) PREFETCH(p->cell + idx[k]);
  }
  for (int k = 0; k < n; k++) {
    code[k] = idx[k] < 0 ? -1 : p->cell[idx[k]];
    if (code[k] <= -2) PREFETCH(blob + (-(code[k] + 2)));
  }
  for (int k = 0; k < n; k++) {
    int r = code[k] >= -1 ? code[k] : locate_in(p, code[k], v_x[k], v_y[k]);
    v_out[k] = r < 0 ? NA_INTEGER : r + 1;
  }
}

static const char *what_elt(SEXP what, int k) {
  return Rf_translateCharUTF8(STRING_ELT(what, k));
}

SEXP spr_c_index_locate(SEXP index_sexp, SEXP x_sexp, SEXP y_sexp,
                        SEXP from_sexp, SEXP to_sexp, SEXP what_sexp) {
  spr_index *p = get_index(index_sexp);
  if (TYPEOF(x_sexp) != REALSXP || TYPEOF(y_sexp) != REALSXP ||
      XLENGTH(x_sexp) != XLENGTH(y_sexp)) {
    SPR_INTERNAL("x and y must be double vectors of equal length");
  }
  if (TYPEOF(what_sexp) != STRSXP || XLENGTH(what_sexp) != 4) {
    SPR_INTERNAL("what must name the points, x, y and crs");
  }
  int nprot = 0;
  R_xlen_t n = XLENGTH(x_sexp);
  const double *v_x = REAL(x_sexp), *v_y = REAL(y_sexp);
  for (R_xlen_t i = 0; i < n; i++) {
    int bad_x = !R_FINITE(v_x[i]) && !ISNAN(v_x[i]);
    if (bad_x || (!R_FINITE(v_y[i]) && !ISNAN(v_y[i]))) {
      int row = i < INT_MAX ? (int)i + 1 : INT_MAX;
      spr_error(what_elt(what_sexp, 0), row,
                "%s is infinite in row %.0f; coordinates must be finite "
                "(NA gives NA).",
                what_elt(what_sexp, bad_x ? 1 : 2), (double)i + 1);
    }
  }
  if (from_sexp != R_NilValue) {
    if (TYPEOF(from_sexp) != STRSXP || TYPEOF(to_sexp) != STRSXP) {
      SPR_INTERNAL("from and to must be strings");
    }
    if (n > INT_MAX) {
      spr_error(what_elt(what_sexp, 0), 0,
                "Cannot transform more than %d points at once.", INT_MAX);
    }
    SEXP tx = PROTECT(Rf_allocVector(REALSXP, n));
    nprot++;
    SEXP ty = PROTECT(Rf_allocVector(REALSXP, n));
    nprot++;
    if (n > 0) {
      memcpy(REAL(tx), v_x, (size_t)n * sizeof(double));
      memcpy(REAL(ty), v_y, (size_t)n * sizeof(double));
    }
    char msg[1024];
    int rc = spr_transform_xy(what_elt(from_sexp, 0), what_elt(to_sexp, 0),
                              (int)n, REAL(tx), REAL(ty), msg, sizeof msg);
    if (rc != SPR_TRANSFORM_OK) {
      size_t len = strlen(msg);
      while (len > 0 && (msg[len - 1] == '.' || msg[len - 1] == ' ' ||
                         msg[len - 1] == ':')) {
        msg[--len] = '\0';
      }
      spr_error(what_elt(what_sexp, 3), 0,
                "Cannot transform `%s` to the CRS of `regions`: %s.",
                what_elt(what_sexp, 0), msg);
    }
    v_x = REAL(tx);
    v_y = REAL(ty);
  }
  SEXP out = PROTECT(Rf_allocVector(INTSXP, n));
  nprot++;
  int *v_out = INTEGER(out);
  spr_progress progress;
  PROTECT(spr_progress_start(&progress, (double)n, "Locating points"));
  nprot++;
  for (R_xlen_t start = 0; start < n; start += SPR_CHUNK) {
    R_xlen_t end = start + SPR_CHUNK < n ? start + SPR_CHUNK : n;
    for (R_xlen_t i = start; i < end; i += BLOCK) {
      int m = end - i < BLOCK ? (int)(end - i) : BLOCK;
      locate_block(p, v_x + i, v_y + i, m, v_out + i);
    }
    if (end < n) spr_progress_add(&progress, (double)(end - start));
  }
  spr_progress_done(&progress);
  UNPROTECT(nprot);
  return out;
}

SEXP spr_c_index_info(SEXP index_sexp) {
  spr_index *p = get_index(index_sexp);
  const char *names[] = {"regions", "polygons", "edges",       "nx",
                         "ny",      "records",  "edge_copies", "breakpoints",
                         "bytes",   "bbox"};
  int n = (int)(sizeof names / sizeof names[0]);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, n));
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, n));
  for (int k = 0; k < n; k++) SET_STRING_ELT(nm, k, Rf_mkChar(names[k]));
  SET_VECTOR_ELT(out, 0, Rf_ScalarInteger(p->n_regions));
  SET_VECTOR_ELT(out, 1, Rf_ScalarInteger(p->n_polygons));
  SET_VECTOR_ELT(out, 2, Rf_ScalarInteger(p->n_edges));
  SET_VECTOR_ELT(out, 3, Rf_ScalarInteger(p->nx));
  SET_VECTOR_ELT(out, 4, Rf_ScalarInteger(p->ny));
  SET_VECTOR_ELT(out, 5, Rf_ScalarReal((double)p->n_rec));
  SET_VECTOR_ELT(out, 6, Rf_ScalarReal((double)p->n_edge_copies));
  SET_VECTOR_ELT(out, 7, Rf_ScalarReal((double)p->n_bp));
  SET_VECTOR_ELT(out, 8, Rf_ScalarReal((double)p->bytes));
  SEXP bbox = Rf_allocVector(REALSXP, 4);
  SET_VECTOR_ELT(out, 9, bbox);
  REAL(bbox)[0] = p->gx0;
  REAL(bbox)[1] = p->gy0;
  REAL(bbox)[2] = p->gx1;
  REAL(bbox)[3] = p->gy1;
  Rf_setAttrib(out, R_NamesSymbol, nm);
  UNPROTECT(2);
  return out;
}

SEXP spr_c_point_coords(SEXP sfc_sexp) {
  if (TYPEOF(sfc_sexp) != VECSXP) SPR_INTERNAL("sfc must be a list");
  R_xlen_t n = XLENGTH(sfc_sexp);
  SEXP x = PROTECT(Rf_allocVector(REALSXP, n));
  SEXP y = PROTECT(Rf_allocVector(REALSXP, n));
  double *v_x = REAL(x), *v_y = REAL(y);
  for (R_xlen_t i = 0; i < n; i++) {
    if (i % SPR_CHUNK == SPR_CHUNK - 1) R_CheckUserInterrupt();
    SEXP g = VECTOR_ELT(sfc_sexp, i);
    if (TYPEOF(g) == INTSXP && XLENGTH(g) >= 2) {
      int a = INTEGER(g)[0], b = INTEGER(g)[1];
      v_x[i] = a == NA_INTEGER ? NA_REAL : a;
      v_y[i] = b == NA_INTEGER ? NA_REAL : b;
    } else if (TYPEOF(g) == REALSXP && XLENGTH(g) >= 2) {
      v_x[i] = REAL(g)[0];
      v_y[i] = REAL(g)[1];
    } else if ((TYPEOF(g) == REALSXP || TYPEOF(g) == INTSXP) &&
               XLENGTH(g) == 0) {
      v_x[i] = v_y[i] = NA_REAL; /* POINT EMPTY */
    } else {
      spr_error("points", i < INT_MAX ? (int)i + 1 : INT_MAX,
                "The geometry in row %.0f of `points` is not a POINT.",
                (double)i + 1);
    }
  }
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
  SET_VECTOR_ELT(out, 0, x);
  SET_VECTOR_ELT(out, 1, y);
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, 2));
  SET_STRING_ELT(nm, 0, Rf_mkChar("x"));
  SET_STRING_ELT(nm, 1, Rf_mkChar("y"));
  Rf_setAttrib(out, R_NamesSymbol, nm);
  UNPROTECT(4);
  return out;
}
