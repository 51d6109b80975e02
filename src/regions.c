/*
 * regions.c -- region geometries: the package's link to GDAL, GEOS and PROJ.
 *
 * Reading. spr_c_read_regions() reads one layer of any vector data source
 * GDAL opens (GeoPackage, GeoJSON, Shapefile, TopoJSON, FlatGeobuf, ...)
 * through GDAL's C API: GDALOpenEx(), then OGR_L_GetNextFeature() over the
 * layer, copying each feature's attributes into R vectors and its geometry
 * into the MULTIPOLYGON layout of sf (a list of polygons, each a list of
 * closed two-column ring matrices, outer ring first). POLYGON is promoted
 * to MULTIPOLYGON; curved polygons are made linear
 * (OGR_G_GetLinearGeometry); Z and M are dropped, because only x and y are
 * copied (OGR_G_GetPoints without a z buffer). Any other geometry type is
 * an error naming the feature. With a target CRS each geometry is
 * transformed on read (OGR_G_Transform, both SRS in GIS axis order).
 * Validity is GDAL's (OGR_G_IsValid, i.e. GEOS); repair is OGR_G_MakeValid
 * followed by keeping the polygonal parts of its result.
 *
 * Handles. Every GDAL object lives in one `reader` struct whose close
 * function frees whatever is open and is idempotent. User errors close the
 * reader first and then raise (so no GDAL handle is open while R's
 * condition handlers run); the whole read also runs under
 * R_ExecWithCleanup(), so a longjmp we did not plan for (an interrupt, an
 * allocation failure) closes the reader too. GDAL's own messages never go
 * to R directly: a pushed error handler copies them into a buffer
 * (CPLPushErrorHandlerEx), and the R error raised afterwards quotes them.
 *
 * Transforming. spr_transform_xy() is the C helper other files use to
 * transform point coordinates (GDAL's OCTTransformEx); it touches no R
 * object and never longjmps. spr_c_transform() exposes it to R.
 *
 * Versions. spr_c_gdal_version() reports the run-time versions of the
 * three libraries (GDALVersionInfo, GEOSversion, proj_info), which proves
 * that the shared library links to all three.
 *
 * Public (regions.h): spr_c_gdal_version, spr_c_read_regions,
 * spr_c_transform, spr_c_crs_wkt (.Call entries registered in init.c) and
 * spr_transform_xy (for other C files).
 */
#include "regions.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <geos_c.h>
#include <limits.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <proj.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- versions ---------------------------------------------------------- */

/* A CHARSXP for a library's version string; NA when the library gives none. */
static SEXP version_string(const char *version, size_t len) {
  if (version == NULL || len == 0) return NA_STRING;
  return Rf_mkCharLenCE(version, (int)len, CE_UTF8);
}

SEXP spr_c_gdal_version(void) {
  int nprot = 0;
  SEXP out = PROTECT(Rf_allocVector(STRSXP, 3));
  nprot++;
  SEXP names = PROTECT(Rf_allocVector(STRSXP, 3));
  nprot++;
  SET_STRING_ELT(names, 0, Rf_mkChar("gdal"));
  SET_STRING_ELT(names, 1, Rf_mkChar("geos"));
  SET_STRING_ELT(names, 2, Rf_mkChar("proj"));

  const char *gdal = GDALVersionInfo("RELEASE_NAME");
  SET_STRING_ELT(out, 0, version_string(gdal, gdal ? strlen(gdal) : 0));

  /* GEOSversion() reads "3.11.1-CAPI-1.17.1"; the C API version after the
   * dash is not the GEOS release, and would not parse as numeric_version. */
  const char *geos = GEOSversion();
  size_t geos_len = 0;
  if (geos != NULL) {
    const char *capi = strstr(geos, "-CAPI-");
    geos_len = capi ? (size_t)(capi - geos) : strlen(geos);
  }
  SET_STRING_ELT(out, 1, version_string(geos, geos_len));

  PJ_INFO proj = proj_info();
  SET_STRING_ELT(
      out, 2,
      version_string(proj.version, proj.version ? strlen(proj.version) : 0));

  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(nprot);
  return out;
}

/* ---- GDAL messages into a buffer ---------------------------------------- */

/* What GDAL said while a handler of ours was pushed. Failures and warnings
 * are kept apart; repeated messages are kept once. */
typedef struct {
  char failure[1024];
  char warning[1024];
  int n_failure;
  int n_warning;
} gdal_log;

static void log_append(char *buf, size_t size, const char *msg) {
  char clean[512];
  snprintf(clean, sizeof clean, "%s", msg);
  size_t len = strlen(clean);
  while (len > 0 && (clean[len - 1] == '\n' || clean[len - 1] == ' ' ||
                     clean[len - 1] == '\r' || clean[len - 1] == '.')) {
    clean[--len] = '\0';
  }
  if (len == 0 || strstr(buf, clean) != NULL) return;
  size_t used = strlen(buf);
  if (used > 0) {
    if (used + 3 >= size) return;
    memcpy(buf + used, "; ", 3);
    used += 2;
  }
  snprintf(buf + used, size - used, "%s", clean);
}

/* The handler: copies, nothing else. It must not call R (a longjmp out of
 * GDAL would leave GDAL's state inconsistent). */
static void CPL_STDCALL log_gdal_message(CPLErr cls, CPLErrorNum num,
                                         const char *msg) {
  (void)num;
  gdal_log *log = (gdal_log *)CPLGetErrorHandlerUserData();
  if (log == NULL || msg == NULL) return;
  if (cls == CE_Failure || cls == CE_Fatal) {
    log->n_failure++;
    log_append(log->failure, sizeof log->failure, msg);
  } else if (cls == CE_Warning) {
    log->n_warning++;
    log_append(log->warning, sizeof log->warning, msg);
  }
}

static void log_push(gdal_log *log) {
  memset(log, 0, sizeof *log);
  CPLErrorReset();
  CPLPushErrorHandlerEx(log_gdal_message, log);
}

static void log_clear_failure(gdal_log *log) {
  log->failure[0] = '\0';
  log->n_failure = 0;
}

/* What GDAL said, as the end of a sentence: " GDAL: <message>." or, when
 * GDAL said nothing, "". */
static const char *gdal_says(const gdal_log *log, char *buf, size_t size) {
  if (log->failure[0] == '\0') return "";
  snprintf(buf, size, " GDAL: %s.", log->failure);
  return buf;
}

static void ensure_gdal_registered(void) {
  static int registered = 0;
  if (!registered) {
    GDALAllRegister();
    registered = 1;
  }
}

/* ---- CRS helpers -------------------------------------------------------- */

/* WKT2 (multi-line, as sf writes it) of an SRS; CPLFree() the result. */
static char *srs_wkt(OGRSpatialReferenceH srs) {
  const char *options[] = {"FORMAT=WKT2_2018", "MULTILINE=YES", NULL};
  char *wkt = NULL;
  if (OSRExportToWktEx(srs, &wkt, options) != OGRERR_NONE || wkt == NULL) {
    CPLFree(wkt);
    wkt = NULL;
    if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE) {
      CPLFree(wkt);
      wkt = NULL;
    }
  }
  return wkt;
}

/* A short name for an SRS read from a file: "EPSG:28992" when its root
 * carries an authority code, otherwise its name, otherwise "". */
static void srs_input(OGRSpatialReferenceH srs, char *buf, size_t size) {
  const char *auth = OSRGetAuthorityName(srs, NULL);
  const char *code = OSRGetAuthorityCode(srs, NULL);
  const char *name = OSRGetName(srs);
  if (auth != NULL && code != NULL) {
    snprintf(buf, size, "%s:%s", auth, code);
  } else if (name != NULL) {
    snprintf(buf, size, "%s", name);
  } else {
    buf[0] = '\0';
  }
}

static void set_msg(char *msg, size_t msglen, const char *fmt, ...) {
  if (msg == NULL || msglen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, msglen, fmt, ap);
  va_end(ap);
}

int spr_transform_xy(const char *from, const char *to, int n, double *x,
                     double *y, char *msg, size_t msglen) {
  gdal_log log;
  char says[1040];
  OGRSpatialReferenceH s_from = NULL, s_to = NULL;
  OGRCoordinateTransformationH ct = NULL;
  int *ok = NULL;
  int rc = SPR_TRANSFORM_OK;
  set_msg(msg, msglen, "%s", "");

  log_push(&log);
  s_from = OSRNewSpatialReference(NULL);
  s_to = OSRNewSpatialReference(NULL);
  if (from == NULL || OSRSetFromUserInput(s_from, from) != OGRERR_NONE) {
    rc = SPR_TRANSFORM_BAD_FROM;
    set_msg(msg, msglen, "GDAL does not understand the CRS \"%.200s\".%s",
            from ? from : "", gdal_says(&log, says, sizeof says));
    goto done;
  }
  log_clear_failure(&log);
  if (to == NULL || OSRSetFromUserInput(s_to, to) != OGRERR_NONE) {
    rc = SPR_TRANSFORM_BAD_TO;
    set_msg(msg, msglen, "GDAL does not understand the CRS \"%.200s\".%s",
            to ? to : "", gdal_says(&log, says, sizeof says));
    goto done;
  }
  OSRSetAxisMappingStrategy(s_from, OAMS_TRADITIONAL_GIS_ORDER);
  OSRSetAxisMappingStrategy(s_to, OAMS_TRADITIONAL_GIS_ORDER);

  for (int i = 0; i < n; i++) {
    if (!isfinite(x[i]) || !isfinite(y[i])) x[i] = y[i] = NA_REAL;
  }
  if (n <= 0 || OSRIsSame(s_from, s_to)) goto done;

  log_clear_failure(&log);
  ct = OCTNewCoordinateTransformation(s_from, s_to);
  if (ct == NULL) {
    rc = SPR_TRANSFORM_NO_PATH;
    set_msg(msg, msglen, "PROJ found no transformation between the two CRS.%s",
            gdal_says(&log, says, sizeof says));
    goto done;
  }
  /* ok[i] < 0 marks a missing point, success[i] is PROJ's verdict. */
  ok = (int *)malloc(2 * (size_t)n * sizeof(int));
  if (ok == NULL) {
    rc = SPR_TRANSFORM_MEMORY;
    set_msg(msg, msglen, "Could not allocate scratch for %d points.", n);
    goto done;
  }
  int *success = ok + n;
  /* Missing points go through as (0, 0) and come back NA: one call to PROJ
   * for all points, no compacted copy. */
  for (int i = 0; i < n; i++) {
    ok[i] = ISNAN(x[i]) ? -1 : 1;
    if (ok[i] < 0) x[i] = y[i] = 0;
  }
  OCTTransformEx(ct, n, x, y, NULL, success);
  for (int i = 0; i < n; i++) {
    if (ok[i] < 0 || !success[i] || !isfinite(x[i]) || !isfinite(y[i])) {
      x[i] = y[i] = NA_REAL;
    }
  }

done:
  free(ok);
  if (ct != NULL) OCTDestroyCoordinateTransformation(ct);
  if (s_from != NULL) OSRDestroySpatialReference(s_from);
  if (s_to != NULL) OSRDestroySpatialReference(s_to);
  CPLPopErrorHandler();
  return rc;
}

static const char *string_arg(SEXP x, const char *what) {
  if (TYPEOF(x) != STRSXP || XLENGTH(x) != 1 || STRING_ELT(x, 0) == NA_STRING) {
    SPR_INTERNAL("%s must be one string", what);
  }
  return Rf_translateCharUTF8(STRING_ELT(x, 0));
}

static void copy_as_double(SEXP src, double *dst, int n) {
  if (TYPEOF(src) == REALSXP) {
    if (n > 0) memcpy(dst, REAL(src), (size_t)n * sizeof(double));
  } else {
    const int *v_src = INTEGER(src);
    for (int i = 0; i < n; i++) {
      dst[i] = v_src[i] == NA_INTEGER ? NA_REAL : (double)v_src[i];
    }
  }
}

/* x, y: double or integer vectors of equal length; the result is always a
 * fresh pair of double vectors. */
SEXP spr_c_transform(SEXP x_sexp, SEXP y_sexp, SEXP from_sexp, SEXP to_sexp) {
  int numeric = (TYPEOF(x_sexp) == REALSXP || TYPEOF(x_sexp) == INTSXP) &&
                (TYPEOF(y_sexp) == REALSXP || TYPEOF(y_sexp) == INTSXP);
  if (!numeric || XLENGTH(x_sexp) != XLENGTH(y_sexp)) {
    SPR_INTERNAL("x and y must be numeric vectors of equal length");
  }
  if (XLENGTH(x_sexp) > INT_MAX) {
    spr_error("x", 0, "Cannot transform more than %d points at once.", INT_MAX);
  }
  const char *from = string_arg(from_sexp, "from");
  const char *to = string_arg(to_sexp, "to");
  int n = (int)XLENGTH(x_sexp);
  int nprot = 0;
  SEXP x = PROTECT(Rf_allocVector(REALSXP, n));
  nprot++;
  SEXP y = PROTECT(Rf_allocVector(REALSXP, n));
  nprot++;
  copy_as_double(x_sexp, REAL(x), n);
  copy_as_double(y_sexp, REAL(y), n);
  double *v_x = REAL(x), *v_y = REAL(y);
  char msg[1024];
  int rc = spr_transform_xy(from, to, n, v_x, v_y, msg, sizeof msg);
  if (rc != SPR_TRANSFORM_OK) {
    const char *arg = rc == SPR_TRANSFORM_BAD_FROM ? "from"
                      : rc == SPR_TRANSFORM_BAD_TO ? "to"
                                                   : NULL;
    spr_error(arg, 0, "Cannot transform coordinates: %s", msg);
  }
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
  nprot++;
  SET_VECTOR_ELT(out, 0, x);
  SET_VECTOR_ELT(out, 1, y);
  SEXP names = PROTECT(Rf_allocVector(STRSXP, 2));
  nprot++;
  SET_STRING_ELT(names, 0, Rf_mkChar("x"));
  SET_STRING_ELT(names, 1, Rf_mkChar("y"));
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(nprot);
  return out;
}

SEXP spr_c_crs_wkt(SEXP crs_sexp, SEXP arg_sexp) {
  const char *crs = string_arg(crs_sexp, "crs");
  const char *arg = string_arg(arg_sexp, "arg");
  char argbuf[64], msg[1024], says[1040];
  snprintf(argbuf, sizeof argbuf, "%s", arg);
  gdal_log log;
  log_push(&log);
  OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
  char *wkt = NULL;
  int ok = OSRSetFromUserInput(srs, crs) == OGRERR_NONE;
  if (ok) wkt = srs_wkt(srs);
  if (!ok || wkt == NULL) {
    snprintf(msg, sizeof msg,
             "`%s` (\"%.200s\") is not a coordinate reference system GDAL "
             "understands.%.600s",
             argbuf, crs, gdal_says(&log, says, sizeof says));
  }
  OSRDestroySpatialReference(srs);
  CPLPopErrorHandler();
  if (wkt == NULL) spr_error(argbuf, 0, "%s", msg);
  /* Copy to R memory, then free GDAL's: Rf_mkCharCE may longjmp. */
  size_t len = strlen(wkt);
  char *copy = R_alloc(len + 1, 1);
  memcpy(copy, wkt, len + 1);
  CPLFree(wkt);
  return Rf_ScalarString(Rf_mkCharCE(copy, CE_UTF8));
}

/* ---- reading a layer ----------------------------------------------------- */

/* Field kinds: how a GDAL field becomes an R vector. */
enum {
  KIND_INT,     /* OFTInteger -> integer */
  KIND_LGL,     /* OFTInteger, subtype boolean -> logical */
  KIND_DOUBLE,  /* OFTReal -> double */
  KIND_INT64,   /* OFTInteger64 -> double (exact up to 2^53) */
  KIND_STRING,  /* OFTString and everything else -> character */
  KIND_DATE,    /* OFTDate -> Date */
  KIND_DATETIME /* OFTDateTime -> POSIXct, UTC */
};

/* Geometry status per feature, returned to R. */
enum {
  GEOM_VALID = 0,
  GEOM_INVALID = 1,
  GEOM_REPAIRED = 2,
  GEOM_REPAIRED_INVALID = 3,
  GEOM_REPAIRED_EMPTY = 4
};

typedef struct {
  gdal_log log;
  int log_pushed;
  GDALDatasetH ds;
  OGRFeatureH feature;
  OGRGeometryH linear;         /* owned: a curved geometry made linear */
  OGRGeometryH valid;          /* owned: OGR_G_MakeValid()'s result */
  OGRGeometryH polygons;       /* owned: the polygonal parts of `valid` */
  OGRSpatialReferenceH source; /* owned: clone of the layer's SRS */
  OGRSpatialReferenceH target; /* owned: the SRS of `crs` */
  OGRCoordinateTransformationH ct;
  char *wkt; /* CPLFree */
  /* the call's arguments */
  const char *dsn;
  const char *crs;
  SEXP layer_sexp;
  int repair;
  char layer_name[256];
  char says[1040]; /* gdal_says()'s text for the message being raised */
} reader;

static void reader_free_geometries(reader *r) {
  if (r->polygons != NULL) OGR_G_DestroyGeometry(r->polygons);
  if (r->valid != NULL) OGR_G_DestroyGeometry(r->valid);
  if (r->linear != NULL) OGR_G_DestroyGeometry(r->linear);
  r->polygons = r->valid = r->linear = NULL;
}

/* Frees whatever is open; safe to call twice (R_ExecWithCleanup calls it
 * again after a normal return or an error raised through reader_fail). */
static void reader_close(void *data) {
  reader *r = (reader *)data;
  reader_free_geometries(r);
  if (r->feature != NULL) OGR_F_Destroy(r->feature);
  r->feature = NULL;
  if (r->ct != NULL) OCTDestroyCoordinateTransformation(r->ct);
  r->ct = NULL;
  if (r->source != NULL) OSRDestroySpatialReference(r->source);
  r->source = NULL;
  if (r->target != NULL) OSRDestroySpatialReference(r->target);
  r->target = NULL;
  CPLFree(r->wkt);
  r->wkt = NULL;
  if (r->ds != NULL) GDALClose(r->ds);
  r->ds = NULL;
  if (r->log_pushed) CPLPopErrorHandler();
  r->log_pushed = 0;
}

/* Close everything, then raise a spreiding_error. The message is formatted
 * before closing, so it may quote the GDAL log. */
static void reader_fail(reader *r, const char *arg, int row, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5), noreturn));
static void reader_fail(reader *r, const char *arg, int row, const char *fmt,
                        ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  reader_close(r);
  spr_error(arg, row, "%s", buf);
  Rf_error("%s", buf); /* not reached: spr_error() never returns */
}

/* "Feature 3 (FID 2)", or "Feature 3" when the driver has no FIDs. */
static void feature_label(char *buf, size_t size, int row, GIntBig fid) {
  if (fid == OGRNullFID) {
    snprintf(buf, size, "Feature %d", row);
  } else {
    snprintf(buf, size, "Feature %d (FID " CPL_FRMT_GIB ")", row, fid);
  }
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static double days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (double)era * 146097.0 + (double)doe - 719468.0;
}

static int field_kind(OGRFieldDefnH fd) {
  switch (OGR_Fld_GetType(fd)) {
    case OFTInteger:
      return OGR_Fld_GetSubType(fd) == OFSTBoolean ? KIND_LGL : KIND_INT;
    case OFTInteger64:
      return KIND_INT64;
    case OFTReal:
      return KIND_DOUBLE;
    case OFTDate:
      return KIND_DATE;
    case OFTDateTime:
      return KIND_DATETIME;
    default:
      return KIND_STRING;
  }
}

static SEXPTYPE kind_type(int kind) {
  switch (kind) {
    case KIND_INT:
      return INTSXP;
    case KIND_LGL:
      return LGLSXP;
    case KIND_STRING:
      return STRSXP;
    default:
      return REALSXP;
  }
}

static void read_field(OGRFeatureH f, int j, int kind, SEXP col, int row) {
  int set = OGR_F_IsFieldSetAndNotNull(f, j);
  switch (kind) {
    case KIND_INT:
      INTEGER(col)[row] = set ? OGR_F_GetFieldAsInteger(f, j) : NA_INTEGER;
      break;
    case KIND_LGL:
      LOGICAL(col)[row] = set ? OGR_F_GetFieldAsInteger(f, j) != 0 : NA_LOGICAL;
      break;
    case KIND_INT64:
      REAL(col)[row] = set ? (double)OGR_F_GetFieldAsInteger64(f, j) : NA_REAL;
      break;
    case KIND_DOUBLE:
      REAL(col)[row] = set ? OGR_F_GetFieldAsDouble(f, j) : NA_REAL;
      break;
    case KIND_DATE:
    case KIND_DATETIME: {
      int y, m, d, h, mi, tz;
      float s;
      if (!set ||
          !OGR_F_GetFieldAsDateTimeEx(f, j, &y, &m, &d, &h, &mi, &s, &tz)) {
        REAL(col)[row] = NA_REAL;
        break;
      }
      double days = days_from_civil(y, m, d);
      if (kind == KIND_DATE) {
        REAL(col)[row] = days;
      } else {
        /* tz 100 is UTC, 100 + k is UTC + 15k minutes; 0 (unknown) and 1
         * (local time) are read as UTC. */
        double offset = tz > 1 ? (tz - 100) * 15 * 60.0 : 0.0;
        REAL(col)[row] = days * 86400.0 + h * 3600.0 + mi * 60.0 + s - offset;
      }
      break;
    }
    default:
      SET_STRING_ELT(
          col, row,
          set ? Rf_mkCharCE(OGR_F_GetFieldAsString(f, j), CE_UTF8) : NA_STRING);
  }
}

/* Append the polygons of g (a polygon, multipolygon or collection) to multi. */
static void collect_polygons(OGRGeometryH g, OGRGeometryH multi) {
  OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
  if (t == wkbPolygon) {
    if (!OGR_G_IsEmpty(g)) OGR_G_AddGeometry(multi, g);
  } else if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
    int n = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < n; i++)
      collect_polygons(OGR_G_GetGeometryRef(g, i), multi);
  }
}

static int ring_points(OGRGeometryH ring) {
  return ring == NULL ? 0 : OGR_G_GetPointCount(ring);
}

/* A polygon counts when its outer ring has points. */
static int polygon_kept(OGRGeometryH poly) {
  return OGR_G_GetGeometryCount(poly) > 0 &&
         ring_points(OGR_G_GetGeometryRef(poly, 0)) > 0;
}

/* The sf MULTIPOLYGON of a polygon or multipolygon g; widens bbox. */
static SEXP multipolygon_sexp(OGRGeometryH g, SEXP sfg_class, double *bbox) {
  int is_poly = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon;
  int nparts = is_poly ? 1 : OGR_G_GetGeometryCount(g);
  int nkeep = 0;
  for (int i = 0; i < nparts; i++) {
    if (polygon_kept(is_poly ? g : OGR_G_GetGeometryRef(g, i))) nkeep++;
  }
  SEXP mp = PROTECT(Rf_allocVector(VECSXP, nkeep));
  int k = 0;
  for (int i = 0; i < nparts; i++) {
    OGRGeometryH poly = is_poly ? g : OGR_G_GetGeometryRef(g, i);
    if (!polygon_kept(poly)) continue;
    int nrings = OGR_G_GetGeometryCount(poly), nr = 0;
    for (int j = 0; j < nrings; j++) {
      if (ring_points(OGR_G_GetGeometryRef(poly, j)) > 0) nr++;
    }
    SEXP p = Rf_allocVector(VECSXP, nr);
    SET_VECTOR_ELT(mp, k++, p);
    int jj = 0;
    for (int j = 0; j < nrings; j++) {
      OGRGeometryH ring = OGR_G_GetGeometryRef(poly, j);
      int n = ring_points(ring);
      if (n == 0) continue;
      int closed = OGR_G_GetX(ring, 0) == OGR_G_GetX(ring, n - 1) &&
                   OGR_G_GetY(ring, 0) == OGR_G_GetY(ring, n - 1);
      int nn = n + !closed;
      SEXP m = Rf_allocMatrix(REALSXP, nn, 2);
      SET_VECTOR_ELT(p, jj++, m);
      double *v_m = REAL(m);
      OGR_G_GetPoints(ring, v_m, sizeof(double), v_m + nn, sizeof(double), NULL,
                      0);
      if (!closed) {
        v_m[n] = v_m[0];
        v_m[nn + n] = v_m[nn];
      }
      for (int q = 0; q < n; q++) {
        double x = v_m[q], y = v_m[nn + q];
        if (x < bbox[0]) bbox[0] = x;
        if (y < bbox[1]) bbox[1] = y;
        if (x > bbox[2]) bbox[2] = x;
        if (y > bbox[3]) bbox[3] = y;
      }
    }
  }
  Rf_setAttrib(mp, R_ClassSymbol, sfg_class);
  UNPROTECT(1);
  return mp;
}

static SEXP empty_multipolygon(SEXP sfg_class) {
  SEXP mp = PROTECT(Rf_allocVector(VECSXP, 0));
  Rf_setAttrib(mp, R_ClassSymbol, sfg_class);
  UNPROTECT(1);
  return mp;
}

/* The current feature's geometry as an sf MULTIPOLYGON; sets *status. */
/* Is g valid? GEOS explains why not in a GDAL warning, which goes to
 * `reason` (when given) instead of the log of warnings while reading. */
static int geometry_valid(reader *r, OGRGeometryH g, char *reason,
                          size_t size) {
  size_t used = strlen(r->log.warning);
  int n_warning = r->log.n_warning;
  int valid = OGR_G_IsValid(g);
  if (reason != NULL && !valid && r->log.warning[used] != '\0') {
    const char *text = r->log.warning + used;
    if (text[0] == ';') text += 2;
    snprintf(reason, size, "%s", text);
  }
  r->log.warning[used] = '\0';
  r->log.n_warning = n_warning;
  return valid;
}

static SEXP feature_geometry(reader *r, int row, SEXP sfg_class, double *bbox,
                             int *status, char *reason, size_t size) {
  char label[96];
  feature_label(label, sizeof label, row, OGR_F_GetFID(r->feature));
  OGRGeometryH g = OGR_F_GetGeometryRef(r->feature);
  *status = GEOM_VALID;
  reason[0] = '\0';
  /* No geometry, or an empty one (a postcode area that collapsed when the
   * layer was generalised): MULTIPOLYGON EMPTY, as sf reads it. */
  if (g == NULL || OGR_G_IsEmpty(g)) return empty_multipolygon(sfg_class);
  OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
  if (OGR_GT_IsNonLinear(t)) {
    r->linear = OGR_G_GetLinearGeometry(g, 0, NULL);
    if (r->linear == NULL) {
      reader_fail(r, "dsn", row,
                  "%s of layer `%s` is a curved %s that GDAL could not make "
                  "linear.%s",
                  label, r->layer_name, OGR_G_GetGeometryName(g),
                  gdal_says(&r->log, r->says, sizeof r->says));
    }
    g = r->linear;
    t = wkbFlatten(OGR_G_GetGeometryType(g));
  }
  if (t != wkbPolygon && t != wkbMultiPolygon) {
    reader_fail(r, "dsn", row,
                "%s of layer `%s` is a %s, not a polygon; read_regions() "
                "reads polygon layers only.",
                label, r->layer_name, OGR_G_GetGeometryName(g));
  }
  if (r->ct != NULL) {
    log_clear_failure(&r->log);
    if (OGR_G_Transform(g, r->ct) != OGRERR_NONE) {
      reader_fail(r, "crs", row,
                  "%s of layer `%s` could not be transformed to `crs`.%s",
                  label, r->layer_name,
                  gdal_says(&r->log, r->says, sizeof r->says));
    }
  }
  log_clear_failure(&r->log);
  if (!geometry_valid(r, g, reason, size)) {
    if (r->repair) {
      log_clear_failure(&r->log);
      r->valid = OGR_G_MakeValid(g);
      if (r->valid == NULL) {
        reader_fail(r, "repair", row,
                    "%s of layer `%s` is invalid, and GDAL could not repair "
                    "it.%s",
                    label, r->layer_name,
                    gdal_says(&r->log, r->says, sizeof r->says));
      }
      r->polygons = OGR_G_CreateGeometry(wkbMultiPolygon);
      collect_polygons(r->valid, r->polygons);
      if (OGR_G_GetGeometryCount(r->polygons) == 0) {
        *status = GEOM_REPAIRED_EMPTY;
        return empty_multipolygon(sfg_class);
      }
      g = r->polygons;
      reason[0] = '\0';
      *status = geometry_valid(r, g, reason, size) ? GEOM_REPAIRED
                                                   : GEOM_REPAIRED_INVALID;
    } else {
      *status = GEOM_INVALID;
    }
  }
  log_clear_failure(&r->log);
  return multipolygon_sexp(g, sfg_class, bbox);
}

/* Names of the layers of the open dataset, "a, b, c", for messages. */
static void layer_names(GDALDatasetH ds, char *buf, size_t size) {
  int n = GDALDatasetGetLayerCount(ds);
  buf[0] = '\0';
  for (int i = 0; i < n; i++) {
    const char *name = OGR_L_GetName(GDALDatasetGetLayer(ds, i));
    size_t used = strlen(buf);
    if (used + strlen(name) + 8 >= size) {
      snprintf(buf + used, size - used, "%s...", i > 0 ? ", " : "");
      return;
    }
    snprintf(buf + used, size - used, "%s`%s`", i > 0 ? ", " : "", name);
  }
}

static OGRLayerH open_layer(reader *r) {
  int nlayers = GDALDatasetGetLayerCount(r->ds);
  if (nlayers < 1) {
    reader_fail(r, "dsn", 0, "`dsn` (\"%s\") has no vector layers.", r->dsn);
  }
  OGRLayerH layer = NULL;
  if (Rf_isNull(r->layer_sexp)) {
    layer = GDALDatasetGetLayer(r->ds, 0);
  } else if (TYPEOF(r->layer_sexp) == STRSXP) {
    const char *name = Rf_translateCharUTF8(STRING_ELT(r->layer_sexp, 0));
    layer = GDALDatasetGetLayerByName(r->ds, name);
    if (layer == NULL) {
      char names[512];
      layer_names(r->ds, names, sizeof names);
      reader_fail(r, "layer", 0,
                  "`layer` \"%s\" is not a layer of `dsn`; its layers are "
                  "%s.",
                  name, names);
    }
  } else {
    int i = Rf_asInteger(r->layer_sexp);
    if (i == NA_INTEGER || i < 1 || i > nlayers) {
      reader_fail(r, "layer", 0, "`layer` is %d, but `dsn` has %d layer%s.", i,
                  nlayers, nlayers == 1 ? "" : "s");
    }
    layer = GDALDatasetGetLayer(r->ds, i - 1);
  }
  if (layer == NULL) {
    reader_fail(r, "layer", 0, "GDAL could not open the layer.%s",
                gdal_says(&r->log, r->says, sizeof r->says));
  }
  snprintf(r->layer_name, sizeof r->layer_name, "%s", OGR_L_GetName(layer));
  return layer;
}

/* Sets up the SRS and transformation; returns the input string for the
 * result's crs (written to buf; "" when the layer has no SRS). */
static void setup_crs(reader *r, OGRLayerH layer, char *input, size_t size) {
  OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(layer);
  input[0] = '\0';
  if (layer_srs != NULL) {
    r->source = OSRClone(layer_srs);
    OSRSetAxisMappingStrategy(r->source, OAMS_TRADITIONAL_GIS_ORDER);
  }
  OGRSpatialReferenceH out = r->source;
  if (r->crs != NULL) {
    log_clear_failure(&r->log);
    r->target = OSRNewSpatialReference(NULL);
    if (OSRSetFromUserInput(r->target, r->crs) != OGRERR_NONE) {
      reader_fail(r, "crs", 0,
                  "`crs` (\"%.200s\") is not a coordinate reference system "
                  "GDAL understands.%s",
                  r->crs, gdal_says(&r->log, r->says, sizeof r->says));
    }
    OSRSetAxisMappingStrategy(r->target, OAMS_TRADITIONAL_GIS_ORDER);
    if (r->source == NULL) {
      reader_fail(r, "crs", 0,
                  "Layer `%s` of `dsn` has no coordinate reference system, "
                  "so it cannot be transformed to `crs`.",
                  r->layer_name);
    }
    if (!OSRIsSame(r->source, r->target)) {
      log_clear_failure(&r->log);
      r->ct = OCTNewCoordinateTransformation(r->source, r->target);
      if (r->ct == NULL) {
        reader_fail(r, "crs", 0,
                    "PROJ found no transformation from the CRS of layer `%s` "
                    "to `crs`.%s",
                    r->layer_name, gdal_says(&r->log, r->says, sizeof r->says));
      }
    }
    out = r->target;
    snprintf(input, size, "%s", r->crs);
  } else if (r->source != NULL) {
    srs_input(r->source, input, size);
  }
  if (out != NULL) r->wkt = srs_wkt(out);
}

static SEXP grow(SEXP store, int ncol, R_xlen_t cap) {
  for (int j = 0; j < ncol; j++) {
    SET_VECTOR_ELT(store, j, Rf_xlengthgets(VECTOR_ELT(store, j), cap));
  }
  return store;
}

static SEXP mkstring_utf8(const char *s) {
  return Rf_ScalarString(Rf_mkCharCE(s, CE_UTF8));
}

static SEXP read_body(void *data) {
  reader *r = (reader *)data;
  int nprot = 0;
  ensure_gdal_registered();
  log_push(&r->log);
  r->log_pushed = 1;

  r->ds = GDALOpenEx(r->dsn,
                     GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                     NULL, NULL, NULL);
  if (r->ds == NULL) {
    reader_fail(r, "dsn", 0,
                "Cannot open `dsn` (\"%s\") as a vector data source.%s", r->dsn,
                gdal_says(&r->log, r->says, sizeof r->says));
  }
  OGRLayerH layer = open_layer(r);
  OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
  if (OGR_FD_GetGeomFieldCount(defn) < 1) {
    reader_fail(r, "layer", 0,
                "Layer `%s` of `dsn` has no geometry column; read_regions() "
                "reads polygon layers only.",
                r->layer_name);
  }
  char crs_input[512];
  setup_crs(r, layer, crs_input, sizeof crs_input);

  /* Columns: the fields, then geometry, FID, status and the reason a
   * geometry is invalid, in one list so that growing replaces elements of
   * a protected object. */
  int nf = OGR_FD_GetFieldCount(defn);
  int *kinds = (int *)R_alloc((size_t)nf + 1, sizeof(int));
  GIntBig count = OGR_L_GetFeatureCount(layer, TRUE);
  if (count > INT_MAX) {
    reader_fail(r, "dsn", 0, "Layer `%s` of `dsn` has more than %d features.",
                r->layer_name, INT_MAX);
  }
  R_xlen_t cap = count > 0 ? (R_xlen_t)count : 16;
  int ncol = nf + 4;
  SEXP store = PROTECT(Rf_allocVector(VECSXP, ncol));
  nprot++;
  SEXP names = PROTECT(Rf_allocVector(STRSXP, nf));
  nprot++;
  for (int j = 0; j < nf; j++) {
    OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, j);
    kinds[j] = field_kind(fd);
    SET_VECTOR_ELT(store, j, Rf_allocVector(kind_type(kinds[j]), cap));
    SET_STRING_ELT(names, j, Rf_mkCharCE(OGR_Fld_GetNameRef(fd), CE_UTF8));
  }
  SET_VECTOR_ELT(store, nf, Rf_allocVector(VECSXP, cap));
  SET_VECTOR_ELT(store, nf + 1, Rf_allocVector(REALSXP, cap));
  SET_VECTOR_ELT(store, nf + 2, Rf_allocVector(INTSXP, cap));
  SET_VECTOR_ELT(store, nf + 3, Rf_allocVector(STRSXP, cap));

  SEXP sfg_class = PROTECT(Rf_allocVector(STRSXP, 3));
  nprot++;
  SET_STRING_ELT(sfg_class, 0, Rf_mkChar("XY"));
  SET_STRING_ELT(sfg_class, 1, Rf_mkChar("MULTIPOLYGON"));
  SET_STRING_ELT(sfg_class, 2, Rf_mkChar("sfg"));

  double bbox[4] = {R_PosInf, R_PosInf, R_NegInf, R_NegInf};
  int row = 0;
  OGR_L_ResetReading(layer);
  log_clear_failure(&r->log);
  while ((r->feature = OGR_L_GetNextFeature(layer)) != NULL) {
    char label[96];
    feature_label(label, sizeof label, row + 1, OGR_F_GetFID(r->feature));
    if (r->log.n_failure > 0) {
      reader_fail(r, "dsn", row + 1, "%s of layer `%s` could not be read.%s",
                  label, r->layer_name,
                  gdal_says(&r->log, r->says, sizeof r->says));
    }
    if (row == cap) {
      if (cap > INT_MAX / 2) {
        reader_fail(r, "dsn", 0,
                    "Layer `%s` of `dsn` has more than %d features.",
                    r->layer_name, INT_MAX / 2);
      }
      cap *= 2;
      grow(store, ncol, cap);
    }
    for (int j = 0; j < nf; j++) {
      read_field(r->feature, j, kinds[j], VECTOR_ELT(store, j), row);
    }
    REAL(VECTOR_ELT(store, nf + 1))
    [row] = OGR_F_GetFID(r->feature) == OGRNullFID
                ? NA_REAL
                : (double)OGR_F_GetFID(r->feature);
    int status;
    char reason[512];
    SEXP mp = feature_geometry(r, row + 1, sfg_class, bbox, &status, reason,
                               sizeof reason);
    SET_VECTOR_ELT(VECTOR_ELT(store, nf), row, mp);
    INTEGER(VECTOR_ELT(store, nf + 2))[row] = status;
    SET_STRING_ELT(VECTOR_ELT(store, nf + 3), row,
                   reason[0] ? Rf_mkCharCE(reason, CE_UTF8) : NA_STRING);
    OGR_F_Destroy(r->feature);
    r->feature = NULL;
    reader_free_geometries(r);
    row++;
    if (row % 1024 == 0) R_CheckUserInterrupt();
  }
  if (r->log.n_failure > 0) {
    reader_fail(r, "dsn", row + 1,
                "Reading layer `%s` of `dsn` stopped after %d features.%s",
                r->layer_name, row,
                gdal_says(&r->log, r->says, sizeof r->says));
  }
  if (row == 0) {
    reader_fail(r, "layer", 0,
                "Layer `%s` of `dsn` has no features; a regions object needs "
                "at least one region.",
                r->layer_name);
  }
  if (row != cap) grow(store, ncol, row);

  for (int j = 0; j < nf; j++) {
    SEXP col = VECTOR_ELT(store, j);
    if (kinds[j] == KIND_DATE) {
      Rf_setAttrib(col, R_ClassSymbol, Rf_mkString("Date"));
    } else if (kinds[j] == KIND_DATETIME) {
      SEXP cls = PROTECT(Rf_allocVector(STRSXP, 2));
      SET_STRING_ELT(cls, 0, Rf_mkChar("POSIXct"));
      SET_STRING_ELT(cls, 1, Rf_mkChar("POSIXt"));
      Rf_setAttrib(col, R_ClassSymbol, cls);
      Rf_setAttrib(col, Rf_install("tzone"), Rf_mkString("UTC"));
      UNPROTECT(1);
    }
  }
  SEXP columns = PROTECT(Rf_allocVector(VECSXP, nf));
  nprot++;
  for (int j = 0; j < nf; j++) SET_VECTOR_ELT(columns, j, VECTOR_ELT(store, j));
  Rf_setAttrib(columns, R_NamesSymbol, names);

  const char *out_names[] = {"columns",   "geometry", "fid",  "layer",
                             "crs_input", "crs_wkt",  "bbox", "status",
                             "reason",    "warnings"};
  int nout = (int)(sizeof out_names / sizeof out_names[0]);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, nout));
  nprot++;
  SEXP onames = PROTECT(Rf_allocVector(STRSXP, nout));
  nprot++;
  for (int i = 0; i < nout; i++)
    SET_STRING_ELT(onames, i, Rf_mkChar(out_names[i]));
  Rf_setAttrib(out, R_NamesSymbol, onames);
  SET_VECTOR_ELT(out, 0, columns);
  SET_VECTOR_ELT(out, 1, VECTOR_ELT(store, nf));
  SET_VECTOR_ELT(out, 2, VECTOR_ELT(store, nf + 1));
  SET_VECTOR_ELT(out, 3, mkstring_utf8(r->layer_name));
  SET_VECTOR_ELT(
      out, 4,
      crs_input[0] ? mkstring_utf8(crs_input) : Rf_ScalarString(NA_STRING));
  SET_VECTOR_ELT(out, 5,
                 r->wkt ? mkstring_utf8(r->wkt) : Rf_ScalarString(NA_STRING));
  SEXP bb = Rf_allocVector(REALSXP, 4);
  SET_VECTOR_ELT(out, 6, bb);
  memcpy(REAL(bb), bbox, sizeof bbox);
  SET_VECTOR_ELT(out, 7, VECTOR_ELT(store, nf + 2));
  SET_VECTOR_ELT(out, 8, VECTOR_ELT(store, nf + 3));
  SET_VECTOR_ELT(out, 9,
                 r->log.warning[0] ? mkstring_utf8(r->log.warning)
                                   : Rf_ScalarString(NA_STRING));
  UNPROTECT(nprot);
  return out;
}

SEXP spr_c_read_regions(SEXP dsn_sexp, SEXP layer_sexp, SEXP crs_sexp,
                        SEXP repair_sexp) {
  reader r;
  memset(&r, 0, sizeof r);
  r.dsn = string_arg(dsn_sexp, "dsn");
  if (!Rf_isNull(layer_sexp) &&
      !((TYPEOF(layer_sexp) == STRSXP || TYPEOF(layer_sexp) == INTSXP ||
         TYPEOF(layer_sexp) == REALSXP) &&
        XLENGTH(layer_sexp) == 1)) {
    SPR_INTERNAL("layer must be NULL, one string or one number");
  }
  if (TYPEOF(layer_sexp) == STRSXP && STRING_ELT(layer_sexp, 0) == NA_STRING) {
    SPR_INTERNAL("layer must not be NA");
  }
  r.layer_sexp = layer_sexp;
  r.crs = Rf_isNull(crs_sexp) ? NULL : string_arg(crs_sexp, "crs");
  if (TYPEOF(repair_sexp) != LGLSXP || XLENGTH(repair_sexp) != 1 ||
      LOGICAL(repair_sexp)[0] == NA_LOGICAL) {
    SPR_INTERNAL("repair must be TRUE or FALSE");
  }
  r.repair = LOGICAL(repair_sexp)[0];
  return R_ExecWithCleanup(read_body, &r, reader_close, &r);
}
