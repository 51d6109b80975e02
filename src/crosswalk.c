/*
 * crosswalk.c -- area crosswalks between two region layers, and dissolving
 * regions into larger ones, with the GEOS C API.
 *
 * region_crosswalk() needs, for every pair of regions (i of `from`, j of
 * `to`) whose interiors overlap, the area of their intersection:
 *
 * 1. GEOS geometries are built straight from the sf-layout coordinate
 *    matrices (GEOSCoordSeq_copyFromArrays_r reads R's column-major x and y
 *    columns as they are), after checking each ring (a numeric matrix with
 *    two columns, at least 4 finite points, closed); the bounding box of
 *    each region is taken on the way.
 * 2. Candidate pairs come from the bounding boxes by sort-and-sweep along x:
 *    both layers sorted by xmin, and a box entering the sweep is tested in
 *    y against the boxes of the other layer that are still open. The pairs
 *    are then sorted by (from, to), so the output follows the input rows.
 * 3. Each candidate pair gets the cheapest test that decides it, with the
 *    larger region prepared once (GEOSPrepare_r, on first use): first the
 *    smaller region's bounding rectangle, then the region itself, against
 *    GEOSPreparedContainsProperly_r (wholly inside: the area is the small
 *    region's own -- the commonest case, a postcode area inside its
 *    labour-market region) and GEOSPreparedIntersects_r (boxes overlap,
 *    regions do not: no area).
 * 4. Only pairs that straddle a boundary have their intersection area cut.
 *    Both regions are first checked with GEOSisValid_r (once each), so an
 *    invalid region is named in an error instead of giving a wrong area.
 *    GEOSIntersection_r + GEOSArea_r would do, but an overlay builds the
 *    whole intersection geometry, about 100 microseconds a pair here, which
 *    made the crosswalk only 3 times as fast as sf's. Instead the larger
 *    region is triangulated once (GEOSConstrainedDelaunayTriangulation_r),
 *    and each ring of the smaller region is clipped to the triangles whose
 *    boxes meet it (Sutherland-Hodgman clipping to a convex polygon, I. E.
 *    Sutherland and G. W. Hodgman, "Reentrant polygon clipping", CACM 17(1),
 *    1974). The shoelace area of a ring clipped to a triangle is the
 *    integral of the ring's winding number over the triangle -- exact for
 *    any ring, convex or not, with no topology to decide, so no degenerate
 *    case can make it jump -- and the triangles tile the larger region, so
 *    area(small & large) = sum over triangles and polygons of
 *    area(shell & triangle) - area(holes & triangle). About 5 microseconds a
 *    pair. Coordinates are centred on the pair's box first, which keeps the
 *    shoelace sums free of cancellation. A triangulation whose area differs
 *    from GEOS's area of the region by more than 1e-9 (relative) is not
 *    used, and those pairs (and every pair with GEOS < 3.10, which has no
 *    triangulation) go through GEOSIntersection_r + GEOSArea_r. Pairs whose
 *    intersection has no area (regions that only share an edge) are
 *    dropped.
 *
 * dissolve_regions() unions the regions of each group with
 * GEOSUnaryUnion_r on a collection of the group's geometries (cascaded
 * union). DESIGN.md names GDAL for polygon unions; OGR_G_UnionCascaded()
 * runs this same GEOS union, but only after copying every polygon into an
 * OGR geometry and from there through WKB into GEOS, and the result back
 * the same way. Calling GEOS directly gives the same union without those
 * copies and shares the conversion code of the crosswalk. Each region is
 * checked with GEOSisValid_r first (a union may take an invalid polygon
 * without complaint and return a wrong shape). The union is cast to
 * MULTIPOLYGON (pieces of lower dimension are dropped).
 *
 * Resources. Every call makes its own GEOS context (GEOS_init_r, the
 * reentrant *_r API); its error handler only copies GEOS's message into a
 * buffer. The context, every geometry, prepared geometry and
 * triangulation, and the malloc'd scratch belong to one `session`, held by
 * an external pointer with a finalizer, so an interrupt
 * (R_CheckUserInterrupt every 256 pairs) or a failed R allocation cannot
 * leak them. Normal returns and user errors close the session first, then
 * raise one R error naming the region (its id and 1-based row) with GEOS's
 * text.
 *
 * region_crosswalk(uncovered = "nearest") asks spr_c_crosswalk() with
 * method 3 for the nearest `to` region of a few `from` regions (those that
 * overlap none) and of points (people outside every `to` region): each
 * element of `from` is then a MULTIPOLYGON or a numeric c(x, y) point (its
 * label a phrase naming it in errors, such as "the point in row 5 of
 * `population`"), and
 * the answer is an integer vector, the 1-based row of the `to` region at
 * the smallest GEOSDistance_r (ties: the first row; NA for an empty `from`
 * region or when every `to` region is empty). A `to` region whose bounding
 * box is farther than the best distance so far is skipped unmeasured.
 *
 * Public: spr_c_crosswalk(), spr_c_dissolve() and spr_c_crs_equal(), the
 * .Call entries declared in crosswalk.h (registered in init.c, called from
 * R/crosswalk.R).
 */
#include "crosswalk.h"

#include <cpl_error.h>
#include <geos_c.h>
#include <limits.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Pairs between interrupt checks: each may cut an area. */
#define PAIR_CHUNK 256

/* GEOS 3.10 brought bulk coordinate copies and triangulation. */
#if GEOS_VERSION_MAJOR > 3 || \
    (GEOS_VERSION_MAJOR == 3 && GEOS_VERSION_MINOR >= 10)
#define HAVE_GEOS_3_10 1
#endif

/* How region_crosswalk() cuts areas (the `method` argument of
 * spr_c_crosswalk(); tests compare the two). */
enum { CUT_TRIANGLES = 1, CUT_OVERLAY = 2, NEAREST = 3 };

/* A triangle of a triangulated region: corners, then bounding box. */
typedef struct {
  double x[3], y[3];
  double box[4];
} triangle;

/* One ring of the region being clipped, centred on the pair's box. */
typedef struct {
  const double *x, *y; /* the R matrix's columns */
  int n;               /* points, without the closing one */
  int hole;
  double sign; /* +1 counter-clockwise, -1 clockwise, 0 no area */
  double box[4];
} ring_ref;

/* ---- the session: everything GEOS owns during one call ------------------ */

typedef struct {
  GEOSContextHandle_t ctx;
  char msg[1024]; /* GEOS's last error message */
  int n;          /* slots in the arrays below */
  GEOSGeometry **geom;
  const GEOSPreparedGeometry **prep;
  GEOSGeometry **rect; /* bounding-box rectangles, made on demand */
  triangle **tri;      /* triangulations, made on demand */
  int *n_tri;          /* triangles; -1 when the triangulation is unusable */
  char *valid;         /* 0 unknown, 1 valid, 2 invalid */
  GEOSGeometry *tmp;   /* one owned result in flight */
  int *pairs;          /* candidate pairs, (from, to) interleaved */
  size_t n_pairs, cap_pairs;
  double *clip; /* clipping scratch */
  size_t cap_clip;
  ring_ref *rings; /* rings of the region being clipped */
  size_t cap_rings;
} session;

static void session_free(session *s) {
  if (s == NULL) return;
  if (s->ctx != NULL) {
    if (s->tmp != NULL) GEOSGeom_destroy_r(s->ctx, s->tmp);
    for (int k = 0; k < s->n; k++) {
      /* A prepared geometry refers to its geometry: destroy it first. */
      if (s->prep != NULL && s->prep[k] != NULL) {
        GEOSPreparedGeom_destroy_r(s->ctx, s->prep[k]);
      }
      if (s->geom != NULL && s->geom[k] != NULL) {
        GEOSGeom_destroy_r(s->ctx, s->geom[k]);
      }
      if (s->rect != NULL && s->rect[k] != NULL) {
        GEOSGeom_destroy_r(s->ctx, s->rect[k]);
      }
    }
    GEOS_finish_r(s->ctx);
  }
  if (s->tri != NULL) {
    for (int k = 0; k < s->n; k++) free(s->tri[k]);
  }
  free(s->geom);
  free(s->prep);
  free(s->rect);
  free(s->tri);
  free(s->n_tri);
  free(s->valid);
  free(s->pairs);
  free(s->clip);
  free(s->rings);
  free(s);
}

/* The finalizer, and the explicit close on every path out of a call. */
static void session_close(SEXP xp) {
  session_free((session *)R_ExternalPtrAddr(xp));
  R_ClearExternalPtr(xp);
}

/* GEOS calls this from inside its own code: copy, never call into R. */
static void on_geos_error(const char *message, void *userdata) {
  session *s = (session *)userdata;
  snprintf(s->msg, sizeof s->msg, "%s",
           message != NULL ? message : "unknown GEOS error");
}

/* A session with `n` geometry slots, in an external pointer the caller
 * must PROTECT. */
static SEXP session_open(int n, session **out) {
  SEXP xp = PROTECT(R_MakeExternalPtr(NULL, R_NilValue, R_NilValue));
  R_RegisterCFinalizerEx(xp, session_close, TRUE);
  session *s = (session *)calloc(1, sizeof *s);
  if (s == NULL) Rf_error("spreiding: cannot allocate a GEOS session");
  R_SetExternalPtrAddr(xp, s);
  size_t slots = n > 0 ? (size_t)n : 1;
  s->n = n;
  s->geom = (GEOSGeometry **)calloc(slots, sizeof *s->geom);
  s->prep = (const GEOSPreparedGeometry **)calloc(slots, sizeof *s->prep);
  s->rect = (GEOSGeometry **)calloc(slots, sizeof *s->rect);
  s->tri = (triangle **)calloc(slots, sizeof *s->tri);
  s->n_tri = (int *)calloc(slots, sizeof *s->n_tri);
  s->valid = (char *)calloc(slots, sizeof *s->valid);
  s->ctx = GEOS_init_r();
  if (s->geom == NULL || s->prep == NULL || s->rect == NULL || s->tri == NULL ||
      s->n_tri == NULL || s->valid == NULL || s->ctx == NULL) {
    session_close(xp);
    Rf_error("spreiding: cannot allocate a GEOS session of %d geometries", n);
  }
  GEOSContext_setErrorMessageHandler_r(s->ctx, on_geos_error, s);
  UNPROTECT(1);
  *out = s;
  return xp;
}

/* Close the session, then raise a user error (the message is formatted
 * first: it may quote the session's GEOS message). */
static void session_fail(SEXP xp, const char *arg, int row, const char *fmt,
                         ...) __attribute__((format(printf, 4, 5)));
static void session_fail(SEXP xp, const char *arg, int row, const char *fmt,
                         ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  session_close(xp);
  spr_error(arg, row, "%s", buf);
}

static const char *label_of(SEXP labels, int i) {
  return Rf_translateCharUTF8(STRING_ELT(labels, i));
}

/* ---- sf layout to GEOS --------------------------------------------------- */

/* One ring, a closed n x 2 matrix, as a GEOS LinearRing; grows `box`.
 * NULL with the reason in `why` when the ring is unusable. */
static GEOSGeometry *build_ring(session *s, SEXP ring, int p, int k,
                                double *box, char *why, size_t whylen) {
  SEXP dim = Rf_getAttrib(ring, R_DimSymbol);
  if (TYPEOF(ring) != REALSXP || TYPEOF(dim) != INTSXP || Rf_length(dim) != 2 ||
      INTEGER(dim)[1] < 2) {
    snprintf(why, whylen,
             "has a ring (%d of polygon %d) that is not a numeric matrix "
             "of x and y columns",
             k + 1, p + 1);
    return NULL;
  }
  int n = INTEGER(dim)[0];
  const double *x = REAL(ring), *y = x + n;
  if (n < 4) {
    snprintf(why, whylen,
             "has a ring (%d of polygon %d) of %d points; a closed ring "
             "needs at least 4",
             k + 1, p + 1, n);
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    if (!R_FINITE(x[i]) || !R_FINITE(y[i])) {
      snprintf(why, whylen,
               "has a missing or infinite coordinate (point %d of ring %d "
               "of polygon %d)",
               i + 1, k + 1, p + 1);
      return NULL;
    }
    if (x[i] < box[0]) box[0] = x[i];
    if (y[i] < box[1]) box[1] = y[i];
    if (x[i] > box[2]) box[2] = x[i];
    if (y[i] > box[3]) box[3] = y[i];
  }
  if (x[0] != x[n - 1] || y[0] != y[n - 1]) {
    snprintf(why, whylen,
             "has a ring (%d of polygon %d) that is not closed: its first "
             "and last points differ",
             k + 1, p + 1);
    return NULL;
  }
#ifdef HAVE_GEOS_3_10
  GEOSCoordSequence *seq =
      GEOSCoordSeq_copyFromArrays_r(s->ctx, x, y, NULL, NULL, (unsigned)n);
#else
  GEOSCoordSequence *seq = GEOSCoordSeq_create_r(s->ctx, (unsigned)n, 2);
  if (seq != NULL) {
    for (int i = 0; i < n; i++) {
      GEOSCoordSeq_setX_r(s->ctx, seq, (unsigned)i, x[i]);
      GEOSCoordSeq_setY_r(s->ctx, seq, (unsigned)i, y[i]);
    }
  }
#endif
  GEOSGeometry *g =
      seq == NULL ? NULL : GEOSGeom_createLinearRing_r(s->ctx, seq);
  if (g == NULL) {
    snprintf(why, whylen, "has a ring (%d of polygon %d) GEOS refuses: %.500s",
             k + 1, p + 1, s->msg);
  }
  return g;
}

/* One region (a list of polygons, each a list of rings, the first the
 * outer one) as a GEOS MultiPolygon; box = (xmin, ymin, xmax, ymax), which
 * stays (Inf, Inf, -Inf, -Inf) for an empty region. NULL with the reason
 * in `why` when the region is unusable. */
static GEOSGeometry *build_region(session *s, SEXP region, double *box,
                                  char *why, size_t whylen) {
  box[0] = box[1] = R_PosInf;
  box[2] = box[3] = R_NegInf;
  if (TYPEOF(region) != VECSXP) {
    snprintf(why, whylen, "is not a list of polygons");
    return NULL;
  }
  int np = Rf_length(region);
  if (np == 0) {
    GEOSGeometry *g =
        GEOSGeom_createEmptyCollection_r(s->ctx, GEOS_MULTIPOLYGON);
    if (g == NULL) snprintf(why, whylen, "GEOS failed: %.500s", s->msg);
    return g;
  }
  const void *vmax = vmaxget();
  GEOSGeometry **polys = (GEOSGeometry **)R_alloc((size_t)np, sizeof *polys);
  int built = 0;
  GEOSGeometry *out = NULL;
  for (int p = 0; p < np; p++) {
    SEXP poly = VECTOR_ELT(region, p);
    int nr = TYPEOF(poly) == VECSXP ? Rf_length(poly) : 0;
    if (nr == 0) {
      snprintf(why, whylen, "has a polygon (%d) that is not a list of rings",
               p + 1);
      goto done;
    }
    GEOSGeometry **rings = (GEOSGeometry **)R_alloc((size_t)nr, sizeof *rings);
    for (int k = 0; k < nr; k++) {
      rings[k] = build_ring(s, VECTOR_ELT(poly, k), p, k, box, why, whylen);
      if (rings[k] == NULL) {
        for (int j = 0; j < k; j++) GEOSGeom_destroy_r(s->ctx, rings[j]);
        goto done;
      }
    }
    /* GEOS takes the rings, also when it fails. */
    polys[p] = GEOSGeom_createPolygon_r(
        s->ctx, rings[0], nr > 1 ? rings + 1 : NULL, (unsigned)(nr - 1));
    if (polys[p] == NULL) {
      snprintf(why, whylen, "has a polygon (%d) GEOS refuses: %.500s", p + 1,
               s->msg);
      goto done;
    }
    built++;
  }
  /* GEOS takes the polygons, also when it fails. */
  built = 0;
  out = GEOSGeom_createCollection_r(s->ctx, GEOS_MULTIPOLYGON, polys,
                                    (unsigned)np);
  if (out == NULL) snprintf(why, whylen, "GEOS refuses: %.500s", s->msg);
done:
  for (int j = 0; j < built; j++) GEOSGeom_destroy_r(s->ctx, polys[j]);
  vmaxset(vmax);
  return out;
}

/* Why GEOS calls a geometry invalid, or "" when it is valid. */
static void invalid_reason(session *s, const GEOSGeometry *g, char *buf,
                           size_t len) {
  buf[0] = '\0';
  if (GEOSisValid_r(s->ctx, g) != 0) return; /* valid, or the check failed */
  char *reason = GEOSisValidReason_r(s->ctx, g);
  snprintf(buf, len, "%s", reason != NULL ? reason : "invalid geometry");
  if (reason != NULL) GEOSFree_r(s->ctx, reason);
}

/* ---- candidate pairs: sort-and-sweep on bounding boxes ------------------- */

typedef struct {
  double key;
  int i;
} keyed;

static int cmp_keyed(const void *a, const void *b) {
  const keyed *x = (const keyed *)a, *y = (const keyed *)b;
  if (x->key < y->key) return -1;
  if (x->key > y->key) return 1;
  return (x->i > y->i) - (x->i < y->i);
}

static int cmp_pair(const void *a, const void *b) {
  const int *x = (const int *)a, *y = (const int *)b;
  if (x[0] != y[0]) return (x[0] > y[0]) - (x[0] < y[0]);
  return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Append (from, to); 0 when out of memory. */
static int add_pair(session *s, int from, int to) {
  if (s->n_pairs == s->cap_pairs) {
    size_t cap = s->cap_pairs == 0 ? 4096 : 2 * s->cap_pairs;
    int *grown = (int *)realloc(s->pairs, 2 * cap * sizeof(int));
    if (grown == NULL) return 0;
    s->pairs = grown;
    s->cap_pairs = cap;
  }
  s->pairs[2 * s->n_pairs] = from;
  s->pairs[2 * s->n_pairs + 1] = to;
  s->n_pairs++;
  return 1;
}

/* The non-empty regions [lo, hi) of the box array, sorted by xmin. */
static keyed *sorted_by_xmin(const double *box, int lo, int hi, int *n_out) {
  keyed *v = (keyed *)R_alloc((size_t)(hi - lo) + 1, sizeof *v);
  int n = 0;
  for (int k = lo; k < hi; k++) {
    if (box[4 * k] <= box[4 * k + 2]) { /* empty regions have xmin = Inf */
      v[n].key = box[4 * k];
      v[n].i = k;
      n++;
    }
  }
  qsort(v, (size_t)n, sizeof *v, cmp_keyed);
  *n_out = n;
  return v;
}

/* All pairs (from slot in [0, nf), to slot in [nf, nf + nt)) whose boxes
 * meet (closed boxes, so touching boxes are candidates too), into
 * s->pairs sorted by (from, to). 0 when out of memory. */
static int sweep_pairs(session *s, const double *box, int nf, int nt) {
  int na, nb;
  keyed *a = sorted_by_xmin(box, 0, nf, &na);
  keyed *b = sorted_by_xmin(box, nf, nf + nt, &nb);
  int *open_a = (int *)R_alloc((size_t)na + 1, sizeof(int));
  int *open_b = (int *)R_alloc((size_t)nb + 1, sizeof(int));
  int n_open_a = 0, n_open_b = 0, ia = 0, ib = 0;
  while (ia < na || ib < nb) {
    int take_a = ib >= nb || (ia < na && a[ia].key <= b[ib].key);
    int k = take_a ? a[ia++].i : b[ib++].i;
    const double *bk = box + 4 * k;
    int *open = take_a ? open_b : open_a;
    int *n_open = take_a ? &n_open_b : &n_open_a;
    for (int m = 0; m < *n_open;) {
      int o = open[m];
      const double *bo = box + 4 * o;
      if (bo[2] < bk[0]) { /* closed behind the sweep line for good */
        open[m] = open[--*n_open];
        continue;
      }
      if (bo[1] <= bk[3] && bk[1] <= bo[3]) {
        if (!add_pair(s, take_a ? k : o, take_a ? o : k)) return 0;
      }
      m++;
    }
    if (take_a) {
      open_a[n_open_a++] = k;
    } else {
      open_b[n_open_b++] = k;
    }
  }
  if (s->n_pairs > 1) qsort(s->pairs, s->n_pairs, 2 * sizeof(int), cmp_pair);
  return 1;
}

/* ---- the area of one pair ------------------------------------------------ */

/* The two layers' geometry lists: slot k < nf is row k + 1 of `from`, the
 * rest are the rows of `to`. */
typedef struct {
  SEXP from, to;
  int nf;
} layers;

static SEXP region_of(const layers *l, int k) {
  return k < l->nf ? VECTOR_ELT(l->from, k) : VECTOR_ELT(l->to, k - l->nf);
}

static int box_within(const double *in, const double *out) {
  return in[0] >= out[0] && in[1] >= out[1] && in[2] <= out[2] &&
         in[3] <= out[3];
}

static int boxes_meet(const double *a, const double *b) {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

static double box_area(const double *b) {
  return (b[2] - b[0]) * (b[3] - b[1]);
}

static const GEOSPreparedGeometry *prepared(session *s, int k) {
  if (s->prep[k] == NULL) s->prep[k] = GEOSPrepare_r(s->ctx, s->geom[k]);
  return s->prep[k];
}

/* The rectangle of slot k's bounding box, made on first use: a cheap
 * stand-in for the region in the prepared-geometry tests. */
static const GEOSGeometry *box_polygon(session *s, int k, const double *box) {
  if (s->rect[k] != NULL) return s->rect[k];
  const double *b = box + 4 * k;
  const double x[5] = {b[0], b[2], b[2], b[0], b[0]};
  const double y[5] = {b[1], b[1], b[3], b[3], b[1]};
  GEOSCoordSequence *seq = GEOSCoordSeq_create_r(s->ctx, 5, 2);
  if (seq == NULL) return NULL;
  for (unsigned i = 0; i < 5; i++) {
    if (!GEOSCoordSeq_setX_r(s->ctx, seq, i, x[i]) ||
        !GEOSCoordSeq_setY_r(s->ctx, seq, i, y[i])) {
      GEOSCoordSeq_destroy_r(s->ctx, seq);
      return NULL;
    }
  }
  GEOSGeometry *ring = GEOSGeom_createLinearRing_r(s->ctx, seq);
  if (ring == NULL) return NULL;
  s->rect[k] = GEOSGeom_createPolygon_r(s->ctx, ring, NULL, 0);
  return s->rect[k];
}

/* 1 when slot k is valid, 0 when not, -1 when GEOS fails; asked once. */
static int is_valid(session *s, int k) {
  if (s->valid[k] == 0) {
    char v = GEOSisValid_r(s->ctx, s->geom[k]);
    if (v == 2) return -1;
    s->valid[k] = v == 1 ? 1 : 2;
  }
  return s->valid[k] == 1;
}

/* Triangulates slot k on first use; the number of triangles, or -1 when
 * the triangulation cannot be used (GEOS failed or is older than 3.10, or
 * the triangles do not add up to the region's area). */
static int triangulate(session *s, int k, double area) {
#ifdef HAVE_GEOS_3_10
  if (s->tri[k] != NULL || s->n_tri[k] != 0) return s->n_tri[k];
  s->n_tri[k] = -1;
  GEOSGeometry *t = GEOSConstrainedDelaunayTriangulation_r(s->ctx, s->geom[k]);
  if (t == NULL) return -1;
  s->tmp = t;
  int n = GEOSGetNumGeometries_r(s->ctx, t);
  s->tri[k] = n > 0 ? (triangle *)malloc((size_t)n * sizeof(triangle)) : NULL;
  int m = 0;
  double sum = 0;
  for (int i = 0; s->tri[k] != NULL && i < n; i++) {
    const GEOSGeometry *g = GEOSGetGeometryN_r(s->ctx, t, i);
    const GEOSGeometry *ring = g ? GEOSGetExteriorRing_r(s->ctx, g) : NULL;
    const GEOSCoordSequence *seq =
        ring ? GEOSGeom_getCoordSeq_r(s->ctx, ring) : NULL;
    unsigned size = 0;
    if (seq == NULL || !GEOSCoordSeq_getSize_r(s->ctx, seq, &size) ||
        size != 4) {
      m = -1;
      break;
    }
    triangle *tr = s->tri[k] + m;
    for (unsigned c = 0; c < 3; c++) {
      if (!GEOSCoordSeq_getX_r(s->ctx, seq, c, tr->x + c) ||
          !GEOSCoordSeq_getY_r(s->ctx, seq, c, tr->y + c)) {
        m = -1;
        break;
      }
    }
    if (m < 0) break;
    double twice = (tr->x[1] - tr->x[0]) * (tr->y[2] - tr->y[0]) -
                   (tr->y[1] - tr->y[0]) * (tr->x[2] - tr->x[0]);
    if (twice == 0) continue;
    if (twice < 0) { /* make it counter-clockwise */
      double u = tr->x[1];
      tr->x[1] = tr->x[2];
      tr->x[2] = u;
      u = tr->y[1];
      tr->y[1] = tr->y[2];
      tr->y[2] = u;
      twice = -twice;
    }
    sum += 0.5 * twice;
    tr->box[0] = fmin(tr->x[0], fmin(tr->x[1], tr->x[2]));
    tr->box[1] = fmin(tr->y[0], fmin(tr->y[1], tr->y[2]));
    tr->box[2] = fmax(tr->x[0], fmax(tr->x[1], tr->x[2]));
    tr->box[3] = fmax(tr->y[0], fmax(tr->y[1], tr->y[2]));
    m++;
  }
  GEOSGeom_destroy_r(s->ctx, t);
  s->tmp = NULL;
  if (s->tri[k] == NULL || m < 0 || !(fabs(sum - area) <= 1e-9 * area)) {
    return -1;
  }
  s->n_tri[k] = m;
  return m;
#else
  (void)s;
  (void)k;
  (void)area;
  return -1;
#endif
}

/* Sutherland-Hodgman step: the cyclic polyline (x, y, n) clipped to the
 * closed half-plane left of a->b, into (ox, oy); returns its length (at
 * most 2n). */
static int clip_half_plane(const double *x, const double *y, int n, double ax,
                           double ay, double bx, double by, double *ox,
                           double *oy) {
  double ex = bx - ax, ey = by - ay;
  double d_prev = ex * (y[n - 1] - ay) - ey * (x[n - 1] - ax);
  int m = 0;
  for (int i = 0, j = n - 1; i < n; j = i++) {
    double d = ex * (y[i] - ay) - ey * (x[i] - ax);
    if ((d >= 0) != (d_prev >= 0)) { /* the edge j -> i crosses the line */
      double t = d_prev / (d_prev - d);
      ox[m] = x[j] + t * (x[i] - x[j]);
      oy[m] = y[j] + t * (y[i] - y[j]);
      m++;
    }
    if (d >= 0) {
      ox[m] = x[i];
      oy[m] = y[i];
      m++;
    }
    d_prev = d;
  }
  return m;
}

/* Twice the signed (counter-clockwise positive) area of a cyclic polyline. */
static double twice_area(const double *x, const double *y, int n) {
  double sum = 0;
  for (int i = 0, j = n - 1; i < n; j = i++) {
    sum += (x[j] - x[i]) * (y[j] + y[i]);
  }
  return sum;
}

/* The area of ring r (centred) inside triangle (tx, ty) (centred,
 * counter-clockwise), using the session's scratch of 4 x cap doubles. */
static double ring_in_triangle(session *s, const ring_ref *r, double x0,
                               double y0, const double *tx, const double *ty,
                               size_t cap) {
  double *ax = s->clip, *ay = ax + cap, *bx = ay + cap, *by = bx + cap;
  for (int i = 0; i < r->n; i++) {
    ax[i] = r->x[i] - x0;
    ay[i] = r->y[i] - y0;
  }
  int m = r->n;
  for (int e = 0; e < 3 && m > 0; e++) {
    m = clip_half_plane(ax, ay, m, tx[e], ty[e], tx[(e + 1) % 3],
                        ty[(e + 1) % 3], bx, by);
    double *swap = ax;
    ax = bx;
    bx = swap;
    swap = ay;
    ay = by;
    by = swap;
  }
  /* The clipped ring winds as the ring does: r->sign turns its signed
   * area into the area of the ring's interior inside the triangle. */
  return m < 3 ? 0 : 0.5 * r->sign * twice_area(ax, ay, m);
}

/* The rings of `region` (sf layout, already checked by build_region())
 * into s->rings, centred on (x0, y0) for their boxes and signs. Returns
 * the number of rings and the longest ring in *longest; -1 when out of
 * memory. */
static int gather_rings(session *s, SEXP region, double x0, double y0,
                        int *longest) {
  int count = 0, np = Rf_length(region);
  for (int p = 0; p < np; p++) count += Rf_length(VECTOR_ELT(region, p));
  if ((size_t)count > s->cap_rings) {
    ring_ref *grown =
        (ring_ref *)realloc(s->rings, (size_t)count * sizeof(ring_ref));
    if (grown == NULL) return -1;
    s->rings = grown;
    s->cap_rings = (size_t)count;
  }
  int k = 0;
  *longest = 0;
  for (int p = 0; p < np; p++) {
    SEXP poly = VECTOR_ELT(region, p);
    for (int j = 0; j < Rf_length(poly); j++, k++) {
      SEXP m = VECTOR_ELT(poly, j);
      int rows = Rf_nrows(m);
      ring_ref *r = s->rings + k;
      r->x = REAL(m);
      r->y = r->x + rows;
      r->n = rows - 1; /* the closing point repeats the first */
      r->hole = j > 0;
      r->box[0] = r->box[1] = R_PosInf;
      r->box[2] = r->box[3] = R_NegInf;
      double sum = 0;
      for (int i = 0, h = r->n - 1; i < r->n; h = i++) {
        double x = r->x[i] - x0, y = r->y[i] - y0;
        sum += (r->x[h] - x0 - x) * (r->y[h] - y0 + y);
        if (x < r->box[0]) r->box[0] = x;
        if (y < r->box[1]) r->box[1] = y;
        if (x > r->box[2]) r->box[2] = x;
        if (y > r->box[3]) r->box[3] = y;
      }
      r->sign = sum > 0 ? 1 : (sum < 0 ? -1 : 0);
      if (r->n > *longest) *longest = r->n;
    }
  }
  return k;
}

/* The area of region `small` inside the triangulated region `big`: 0 with
 * the area in *out, -1 when out of memory. */
static int cut_by_triangles(session *s, SEXP region, int small, int big,
                            const double *box, double *out) {
  const double *e = box + 4 * small;
  double x0 = 0.5 * (e[0] + e[2]), y0 = 0.5 * (e[1] + e[3]);
  int longest;
  int n_rings = gather_rings(s, region, x0, y0, &longest);
  if (n_rings < 0) return -1;
  /* Each of the three clips at most doubles a ring. */
  size_t cap = 8 * (size_t)longest + 8;
  if (cap > s->cap_clip) {
    double *grown = (double *)realloc(s->clip, 4 * cap * sizeof(double));
    if (grown == NULL) return -1;
    s->clip = grown;
    s->cap_clip = cap;
  }
  double total = 0;
  for (int t = 0; t < s->n_tri[big]; t++) {
    const triangle *tr = s->tri[big] + t;
    if (!boxes_meet(tr->box, e)) continue;
    const double tx[3] = {tr->x[0] - x0, tr->x[1] - x0, tr->x[2] - x0};
    const double ty[3] = {tr->y[0] - y0, tr->y[1] - y0, tr->y[2] - y0};
    const double tbox[4] = {tr->box[0] - x0, tr->box[1] - y0, tr->box[2] - x0,
                            tr->box[3] - y0};
    for (int k = 0; k < n_rings; k++) {
      const ring_ref *r = s->rings + k;
      if (r->sign == 0 || !boxes_meet(r->box, tbox)) continue;
      double a = ring_in_triangle(s, r, x0, y0, tx, ty, s->cap_clip);
      total += r->hole ? -a : a;
    }
  }
  *out = total;
  return 0;
}

/* Outcomes of pair_area(). */
enum { PAIR_OK = 0, PAIR_GEOS = -1, PAIR_INVALID = -2, PAIR_MEMORY = -3 };

/* The area shared by slots a and b into *out. Tests run from cheap to
 * dear: the smaller region's box against the larger region (prepared),
 * then the smaller region itself, then the cut. PAIR_INVALID puts the
 * invalid slot in *bad. */
static int pair_area(session *s, const layers *l, int a, int b,
                     const double *box, const double *area, int method,
                     double *out, int *bad) {
  const double *ba = box + 4 * a, *bb = box + 4 * b;
  int big, nested = 1;
  if (box_within(ba, bb)) {
    big = b;
  } else if (box_within(bb, ba)) {
    big = a;
  } else {
    nested = 0;
    big = box_area(ba) >= box_area(bb) ? a : b;
  }
  int small = big == a ? b : a;
  const GEOSPreparedGeometry *pg = prepared(s, big);
  const GEOSGeometry *rect = box_polygon(s, small, box);
  if (pg == NULL || rect == NULL) return PAIR_GEOS;
  *out = 0;
  char res;
  if (nested) {
    res = GEOSPreparedContainsProperly_r(s->ctx, pg, rect);
    if (res == 2) return PAIR_GEOS;
    if (res == 1) {
      *out = area[small];
      return PAIR_OK;
    }
  }
  res = GEOSPreparedIntersects_r(s->ctx, pg, rect);
  if (res != 1) return res == 0 ? PAIR_OK : PAIR_GEOS;
  if (nested) {
    res = GEOSPreparedContainsProperly_r(s->ctx, pg, s->geom[small]);
    if (res == 2) return PAIR_GEOS;
    if (res == 1) {
      *out = area[small];
      return PAIR_OK;
    }
  }
  res = GEOSPreparedIntersects_r(s->ctx, pg, s->geom[small]);
  if (res != 1) return res == 0 ? PAIR_OK : PAIR_GEOS;

  /* The pair straddles a boundary: its area must be cut. */
  const int both[2] = {small, big};
  for (int i = 0; i < 2; i++) {
    int v = is_valid(s, both[i]);
    if (v < 0) return PAIR_GEOS;
    if (v == 0) {
      *bad = both[i];
      return PAIR_INVALID;
    }
  }
  if (method == CUT_TRIANGLES && triangulate(s, big, area[big]) >= 0) {
    return cut_by_triangles(s, region_of(l, small), small, big, box, out) == 0
               ? PAIR_OK
               : PAIR_MEMORY;
  }
  s->tmp = GEOSIntersection_r(s->ctx, s->geom[a], s->geom[b]);
  if (s->tmp == NULL) return PAIR_GEOS;
  int ok = GEOSArea_r(s->ctx, s->tmp, out);
  GEOSGeom_destroy_r(s->ctx, s->tmp);
  s->tmp = NULL;
  return ok ? PAIR_OK : PAIR_GEOS;
}

/* ---- region_crosswalk() -------------------------------------------------- */

static void check_layer(SEXP geom, SEXP label, const char *what) {
  if (TYPEOF(geom) != VECSXP || TYPEOF(label) != STRSXP ||
      Rf_xlength(geom) != Rf_xlength(label) || Rf_xlength(geom) >= INT_MAX) {
    SPR_INTERNAL("`%s` must be a geometry list with one label per region",
                 what);
  }
}

/* Names slot k's region: its argument, its 1-based row, its label. */
static const char *slot_arg(const layers *l, int k) {
  return k < l->nf ? "from" : "to";
}
static int slot_row(const layers *l, int k) {
  return (k < l->nf ? k : k - l->nf) + 1;
}
static const char *slot_label(const layers *l, SEXP from_label, SEXP to_label,
                              int k) {
  return k < l->nf ? label_of(from_label, k) : label_of(to_label, k - l->nf);
}

/* pair_area() failed on slots (a, b): name an invalid region if there is
 * one, else quote GEOS. Never returns. */
static void pair_fail(SEXP xp, session *s, const layers *l, int status, int a,
                      int b, int bad, SEXP from_label, SEXP to_label) {
  char geos_msg[1024], reason[512];
  snprintf(geos_msg, sizeof geos_msg, "%s", s->msg);
  if (status == PAIR_MEMORY) {
    session_fail(xp, NULL, 0, "Out of memory cutting region areas.");
  }
  const int slots[2] = {status == PAIR_INVALID ? bad : a, b};
  for (int i = 0; i < 2; i++) {
    invalid_reason(s, s->geom[slots[i]], reason, sizeof reason);
    if (reason[0] != '\0') {
      int k = slots[i];
      session_fail(xp, slot_arg(l, k), slot_row(l, k),
                   "Region %s (row %d of `%s`) is not a valid polygon: %s. "
                   "Repair it first, e.g. with read_regions(repair = TRUE).",
                   slot_label(l, from_label, to_label, k), slot_row(l, k),
                   slot_arg(l, k), reason);
    }
  }
  session_fail(xp, "from", slot_row(l, a),
               "GEOS could not intersect region %s (row %d of `from`) with "
               "region %s (row %d of `to`): %s",
               slot_label(l, from_label, to_label, a), slot_row(l, a),
               slot_label(l, from_label, to_label, b), slot_row(l, b),
               geos_msg);
}

/* Build every region of both layers into the session's slots (from first,
 * then to), with its box and area. */
static void build_layers(SEXP xp, session *s, const layers *l, SEXP from_label,
                         SEXP to_label, double *box, double *area) {
  char why[768];
  for (int k = 0; k < s->n; k++) {
    const char *arg = slot_arg(l, k);
    int row = slot_row(l, k);
    s->geom[k] = build_region(s, region_of(l, k), box + 4 * k, why, sizeof why);
    if (s->geom[k] == NULL) {
      session_fail(xp, arg, row, "Region %s (row %d of `%s`) %s.",
                   slot_label(l, from_label, to_label, k), row, arg, why);
    }
    if (!GEOSArea_r(s->ctx, s->geom[k], area + k)) {
      session_fail(xp, arg, row,
                   "GEOS could not take the area of region %s (row %d of "
                   "`%s`): %s",
                   slot_label(l, from_label, to_label, k), row, arg, s->msg);
    }
    if ((k + 1) % 1024 == 0) R_CheckUserInterrupt();
  }
}

/* Distance from box a to box b (0 when they meet). */
static double box_distance(const double *a, const double *b) {
  double dx = fmax(0, fmax(a[0] - b[2], b[0] - a[2]));
  double dy = fmax(0, fmax(a[1] - b[3], b[1] - a[3]));
  return sqrt(dx * dx + dy * dy);
}

/* method 3: the nearest `to` row of each `from` element (a MULTIPOLYGON or
 * a c(x, y) point); see the comment at the top. */
static SEXP nearest_to(SEXP from_sexp, SEXP to_sexp, SEXP from_label_sexp,
                       SEXP to_label_sexp) {
  int nf = Rf_length(from_sexp), nt = Rf_length(to_sexp);
  const layers l = {from_sexp, to_sexp, nf};
  SEXP out = PROTECT(Rf_allocVector(INTSXP, nf));
  int *v_out = INTEGER(out);
  session *s;
  SEXP xp = PROTECT(session_open(nf + nt, &s));
  double *box = (double *)R_alloc(4 * ((size_t)nf + nt) + 1, sizeof(double));
  char why[768];
  for (int k = 0; k < nf + nt; k++) {
    SEXP g = region_of(&l, k);
    double *b = box + 4 * k;
    if (k < nf && TYPEOF(g) == REALSXP && Rf_length(g) == 2) {
      double x = REAL(g)[0], y = REAL(g)[1];
      if (!R_FINITE(x) || !R_FINITE(y)) {
        session_fail(xp, "population", 0,
                     "The coordinates of %s are not finite.",
                     label_of(from_label_sexp, k));
      }
      b[0] = b[2] = x;
      b[1] = b[3] = y;
      s->geom[k] = GEOSGeom_createPointFromXY_r(s->ctx, x, y);
      if (s->geom[k] == NULL) {
        session_fail(xp, "population", 0, "GEOS refuses %s: %s",
                     label_of(from_label_sexp, k), s->msg);
      }
    } else {
      s->geom[k] = build_region(s, g, b, why, sizeof why);
      if (s->geom[k] == NULL && k < nf) {
        session_fail(xp, "from", 0, "The geometry of %s %s.",
                     label_of(from_label_sexp, k), why);
      }
      if (s->geom[k] == NULL) {
        session_fail(xp, slot_arg(&l, k), slot_row(&l, k),
                     "Region %s (row %d of `%s`) %s.",
                     slot_label(&l, from_label_sexp, to_label_sexp, k),
                     slot_row(&l, k), slot_arg(&l, k), why);
      }
    }
    if ((k + 1) % 1024 == 0) R_CheckUserInterrupt();
  }
  for (int i = 0; i < nf; i++) {
    if (i % PAIR_CHUNK == PAIR_CHUNK - 1) R_CheckUserInterrupt();
    const double *bi = box + 4 * i;
    double best = R_PosInf;
    int at = NA_INTEGER;
    if (bi[0] <= bi[2]) { /* not empty */
      for (int j = 0; j < nt; j++) {
        const double *bj = box + 4 * (nf + j);
        if (bj[0] > bj[2] || box_distance(bi, bj) > best) continue;
        double d;
        if (!GEOSDistance_r(s->ctx, s->geom[i], s->geom[nf + j], &d)) {
          session_fail(xp, "to", j + 1,
                       "GEOS could not measure the distance from %s to "
                       "region %s (row %d of `to`): %s",
                       label_of(from_label_sexp, i),
                       label_of(to_label_sexp, j), j + 1, s->msg);
        }
        if (d < best) {
          best = d;
          at = j + 1;
        }
      }
    }
    v_out[i] = at;
  }
  session_close(xp);
  UNPROTECT(2);
  return out;
}

SEXP spr_c_crosswalk(SEXP from_sexp, SEXP to_sexp, SEXP from_label_sexp,
                     SEXP to_label_sexp, SEXP method_sexp) {
  int nprot = 0;
  check_layer(from_sexp, from_label_sexp, "from");
  check_layer(to_sexp, to_label_sexp, "to");
  int method = Rf_asInteger(method_sexp);
  if (method == NEAREST) {
    if ((double)Rf_length(from_sexp) + Rf_length(to_sexp) >= INT_MAX) {
      SPR_INTERNAL("too many regions");
    }
    return nearest_to(from_sexp, to_sexp, from_label_sexp, to_label_sexp);
  }
  if (method != CUT_TRIANGLES && method != CUT_OVERLAY) {
    SPR_INTERNAL("unknown method %d", method);
  }
  int nf = Rf_length(from_sexp), nt = Rf_length(to_sexp);
  if ((double)nf + nt >= INT_MAX) SPR_INTERNAL("too many regions");
  const layers l = {from_sexp, to_sexp, nf};

  session *s;
  SEXP xp = PROTECT(session_open(nf + nt, &s));
  nprot++;
  double *box = (double *)R_alloc(4 * ((size_t)nf + nt) + 1, sizeof(double));
  double *area = (double *)R_alloc((size_t)nf + nt + 1, sizeof(double));
  build_layers(xp, s, &l, from_label_sexp, to_label_sexp, box, area);

  if (!sweep_pairs(s, box, nf, nt)) {
    session_fail(xp, NULL, 0, "Out of memory listing overlapping regions.");
  }
  size_t n_pairs = s->n_pairs;
  int *v_from = (int *)R_alloc(n_pairs + 1, sizeof(int));
  int *v_to = (int *)R_alloc(n_pairs + 1, sizeof(int));
  double *v_area = (double *)R_alloc(n_pairs + 1, sizeof(double));
  size_t n_out = 0;
  for (size_t p = 0; p < n_pairs; p++) {
    if (p % PAIR_CHUNK == PAIR_CHUNK - 1) R_CheckUserInterrupt();
    int a = s->pairs[2 * p], b = s->pairs[2 * p + 1], bad = -1;
    double shared = 0;
    int status = pair_area(s, &l, a, b, box, area, method, &shared, &bad);
    if (status != PAIR_OK) {
      pair_fail(xp, s, &l, status, a, b, bad, from_label_sexp, to_label_sexp);
    }
    if (shared > 0) {
      v_from[n_out] = a + 1;
      v_to[n_out] = b - nf + 1;
      v_area[n_out] = shared;
      n_out++;
    }
  }
  session_close(xp);

  if (n_out > (size_t)INT_MAX) SPR_INTERNAL("too many overlapping pairs");
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
  nprot++;
  SEXP s_from = Rf_allocVector(INTSXP, (R_xlen_t)n_out);
  SET_VECTOR_ELT(out, 0, s_from);
  SEXP s_to = Rf_allocVector(INTSXP, (R_xlen_t)n_out);
  SET_VECTOR_ELT(out, 1, s_to);
  SEXP s_area = Rf_allocVector(REALSXP, (R_xlen_t)n_out);
  SET_VECTOR_ELT(out, 2, s_area);
  SEXP s_from_area = Rf_allocVector(REALSXP, nf);
  SET_VECTOR_ELT(out, 3, s_from_area);
  if (n_out > 0) {
    memcpy(INTEGER(s_from), v_from, n_out * sizeof(int));
    memcpy(INTEGER(s_to), v_to, n_out * sizeof(int));
    memcpy(REAL(s_area), v_area, n_out * sizeof(double));
  }
  if (nf > 0) memcpy(REAL(s_from_area), area, (size_t)nf * sizeof(double));
  SEXP names = PROTECT(Rf_allocVector(STRSXP, 4));
  nprot++;
  SET_STRING_ELT(names, 0, Rf_mkChar("from"));
  SET_STRING_ELT(names, 1, Rf_mkChar("to"));
  SET_STRING_ELT(names, 2, Rf_mkChar("area"));
  SET_STRING_ELT(names, 3, Rf_mkChar("from_area"));
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(nprot);
  return out;
}

/* ---- GEOS to sf layout --------------------------------------------------- */

/* The non-empty polygons of g (a Polygon, MultiPolygon or collection), in
 * order, into list (when not NULL); returns how many. */
static int gather_polygons(session *s, const GEOSGeometry *g,
                           const GEOSGeometry **list, int n) {
  int type = GEOSGeomTypeId_r(s->ctx, g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(s->ctx, g) == 0) {
      if (list != NULL) list[n] = g;
      n++;
    }
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    int parts = GEOSGetNumGeometries_r(s->ctx, g);
    for (int k = 0; k < parts; k++) {
      n = gather_polygons(s, GEOSGetGeometryN_r(s->ctx, g, k), list, n);
    }
  }
  return n;
}

/* A GEOS ring as an n x 2 matrix; R_NilValue when GEOS fails. */
static SEXP ring_matrix(session *s, const GEOSGeometry *ring) {
  const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(s->ctx, ring);
  unsigned int n = 0;
  if (seq == NULL || !GEOSCoordSeq_getSize_r(s->ctx, seq, &n)) {
    return R_NilValue;
  }
  SEXP m = PROTECT(Rf_allocMatrix(REALSXP, (int)n, 2));
  double *x = REAL(m), *y = REAL(m) + n;
#ifdef HAVE_GEOS_3_10
  int ok = GEOSCoordSeq_copyToArrays_r(s->ctx, seq, x, y, NULL, NULL);
#else
  int ok = 1;
  for (unsigned int i = 0; ok && i < n; i++) {
    ok = GEOSCoordSeq_getX_r(s->ctx, seq, i, x + i) &&
         GEOSCoordSeq_getY_r(s->ctx, seq, i, y + i);
  }
#endif
  UNPROTECT(1);
  return ok ? m : R_NilValue;
}

/* A GEOS geometry as an sf MULTIPOLYGON (a list of polygons, each a list
 * of ring matrices); R_NilValue when GEOS fails. */
static SEXP multipolygon_sexp(session *s, const GEOSGeometry *g, SEXP cls) {
  int np = gather_polygons(s, g, NULL, 0);
  const GEOSGeometry **polys =
      (const GEOSGeometry **)R_alloc((size_t)np + 1, sizeof *polys);
  gather_polygons(s, g, polys, 0);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, np));
  for (int p = 0; p < np; p++) {
    int nh = GEOSGetNumInteriorRings_r(s->ctx, polys[p]);
    if (nh < 0) {
      UNPROTECT(1);
      return R_NilValue;
    }
    SEXP poly = Rf_allocVector(VECSXP, nh + 1);
    SET_VECTOR_ELT(out, p, poly);
    for (int k = 0; k <= nh; k++) {
      const GEOSGeometry *ring =
          k == 0 ? GEOSGetExteriorRing_r(s->ctx, polys[p])
                 : GEOSGetInteriorRingN_r(s->ctx, polys[p], k - 1);
      SEXP m = ring == NULL ? R_NilValue : ring_matrix(s, ring);
      if (m == R_NilValue) {
        UNPROTECT(1);
        return R_NilValue;
      }
      SET_VECTOR_ELT(poly, k, m);
    }
  }
  Rf_setAttrib(out, R_ClassSymbol, cls);
  UNPROTECT(1);
  return out;
}

/* ---- dissolve_regions() -------------------------------------------------- */

SEXP spr_c_dissolve(SEXP geom_sexp, SEXP group_sexp, SEXP group_label_sexp,
                    SEXP label_sexp) {
  int nprot = 0;
  check_layer(geom_sexp, label_sexp, "regions");
  int n = Rf_length(geom_sexp);
  if (TYPEOF(group_sexp) != INTSXP || Rf_length(group_sexp) != n ||
      TYPEOF(group_label_sexp) != STRSXP) {
    SPR_INTERNAL("`group` must be an integer vector with one group per region");
  }
  int n_groups = Rf_length(group_label_sexp);
  const int *v_group = INTEGER(group_sexp);

  /* Regions by group, in row order within a group (a counting sort). */
  int *start = (int *)R_alloc((size_t)n_groups + 1, sizeof(int));
  int *members = (int *)R_alloc((size_t)n + 1, sizeof(int));
  memset(start, 0, ((size_t)n_groups + 1) * sizeof(int));
  for (int r = 0; r < n; r++) {
    if (v_group[r] == NA_INTEGER || v_group[r] < 1 || v_group[r] > n_groups) {
      SPR_INTERNAL("group %d of region %d is out of range", v_group[r], r + 1);
    }
    start[v_group[r]]++;
  }
  for (int g = 0; g < n_groups; g++) start[g + 1] += start[g];
  int *fill = (int *)R_alloc((size_t)n_groups + 1, sizeof(int));
  memcpy(fill, start, ((size_t)n_groups + 1) * sizeof(int));
  for (int r = 0; r < n; r++) members[fill[v_group[r] - 1]++] = r;

  SEXP cls = PROTECT(Rf_allocVector(STRSXP, 3));
  nprot++;
  SET_STRING_ELT(cls, 0, Rf_mkChar("XY"));
  SET_STRING_ELT(cls, 1, Rf_mkChar("MULTIPOLYGON"));
  SET_STRING_ELT(cls, 2, Rf_mkChar("sfg"));
  SEXP out = PROTECT(Rf_allocVector(VECSXP, n_groups));
  nprot++;

  session *s;
  SEXP xp = PROTECT(session_open(n, &s));
  nprot++;
  char why[768];
  double box[4];
  for (int g = 0; g < n_groups; g++) {
    const int *mem = members + start[g];
    int k = start[g + 1] - start[g];
    const void *vmax = vmaxget();
    GEOSGeometry **parts =
        (GEOSGeometry **)R_alloc((size_t)k + 1, sizeof *parts);
    for (int m = 0; m < k; m++) {
      int r = mem[m];
      s->geom[r] =
          build_region(s, VECTOR_ELT(geom_sexp, r), box, why, sizeof why);
      if (s->geom[r] == NULL) {
        session_fail(xp, "regions", r + 1,
                     "Region %s (row %d of `regions`) %s.",
                     label_of(label_sexp, r), r + 1, why);
      }
      /* GEOS may union an invalid polygon without complaint, into a wrong
       * shape: check each region first. */
      char reason[512];
      invalid_reason(s, s->geom[r], reason, sizeof reason);
      if (reason[0] != '\0') {
        session_fail(xp, "regions", r + 1,
                     "Region %s (row %d of `regions`) is not a valid polygon: "
                     "%s. Repair it first, e.g. with read_regions(repair = "
                     "TRUE).",
                     label_of(label_sexp, r), r + 1, reason);
      }
      parts[m] = s->geom[r];
    }
    /* The collection takes the parts (GEOS frees them if it fails). */
    for (int m = 0; m < k; m++) s->geom[mem[m]] = NULL;
    s->tmp = GEOSGeom_createCollection_r(s->ctx, GEOS_GEOMETRYCOLLECTION, parts,
                                         (unsigned)k);
    GEOSGeometry *u = NULL;
    if (s->tmp != NULL) {
      u = GEOSUnaryUnion_r(s->ctx, s->tmp);
      GEOSGeom_destroy_r(s->ctx, s->tmp);
    }
    s->tmp = u;
    if (u == NULL) {
      session_fail(xp, "regions", 0,
                   "GEOS could not union the %d regions of group %s: %s", k,
                   label_of(group_label_sexp, g), s->msg);
    }
    SEXP mp = multipolygon_sexp(s, u, cls);
    if (mp == R_NilValue) {
      session_fail(xp, "regions", 0,
                   "GEOS could not read back the union of group %s: %s",
                   label_of(group_label_sexp, g), s->msg);
    }
    SET_VECTOR_ELT(out, g, mp);
    GEOSGeom_destroy_r(s->ctx, s->tmp);
    s->tmp = NULL;
    vmaxset(vmax);
    R_CheckUserInterrupt();
  }
  session_close(xp);
  UNPROTECT(nprot);
  return out;
}

/* ---- CRS comparison ------------------------------------------------------ */

SEXP spr_c_crs_equal(SEXP a_sexp, SEXP b_sexp) {
  if (TYPEOF(a_sexp) != STRSXP || Rf_length(a_sexp) != 1 ||
      TYPEOF(b_sexp) != STRSXP || Rf_length(b_sexp) != 1 ||
      STRING_ELT(a_sexp, 0) == NA_STRING ||
      STRING_ELT(b_sexp, 0) == NA_STRING) {
    SPR_INTERNAL("two CRS strings expected");
  }
  const char *a = Rf_translateCharUTF8(STRING_ELT(a_sexp, 0));
  const char *b = Rf_translateCharUTF8(STRING_ELT(b_sexp, 0));
  static const char *const options[] = {
      "IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
      "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", NULL};
  OGRSpatialReferenceH ha = OSRNewSpatialReference(NULL);
  OGRSpatialReferenceH hb = OSRNewSpatialReference(NULL);
  /* GDAL's complaints about an unreadable definition are not wanted: the
   * answer is then NA, and the caller words the error. */
  CPLPushErrorHandler(CPLQuietErrorHandler);
  int ok = ha != NULL && hb != NULL &&
           OSRSetFromUserInput(ha, a) == OGRERR_NONE &&
           OSRSetFromUserInput(hb, b) == OGRERR_NONE;
  int same = ok && OSRIsSameEx(ha, hb, options);
  CPLPopErrorHandler();
  if (ha != NULL) OSRDestroySpatialReference(ha);
  if (hb != NULL) OSRDestroySpatialReference(hb);
  return Rf_ScalarLogical(ok ? same : NA_LOGICAL);
}
