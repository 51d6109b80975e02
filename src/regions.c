/*
 * regions.c -- region geometries: the package's link to GDAL, GEOS and PROJ.
 *
 * For now this file holds one .Call entry, spr_c_gdal_version(), which
 * reports the versions of the three libraries as they are loaded at run time
 * (not the versions of the headers spreiding was compiled against). It calls
 * into each library directly, so a successful call proves that the shared
 * library links to all three:
 *
 *   gdal  GDALVersionInfo("RELEASE_NAME"), e.g. "3.6.2"
 *   geos  GEOSversion() without its "-CAPI-x.y.z" suffix, e.g. "3.11.1"
 *   proj  proj_info().version, e.g. "9.1.1"
 *
 * configure finds the libraries and checks that GDAL itself was built with
 * GEOS. Public: spr_c_gdal_version() (declared in regions.h, registered in
 * init.c, called by gdal_version() in R/regions.R).
 */
#include "regions.h"

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>

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
  SET_STRING_ELT(out, 2, version_string(proj.version,
                                        proj.version ? strlen(proj.version) : 0));

  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(nprot);
  return out;
}
