/*
 * round.c -- publication rounding, half away from zero.
 *
 * Published tables (Mulder 2025 among them) round 7396.5 to 7397 and 2.675
 * to 2.68, where R's round() rounds half to even on the binary value (7396,
 * 2.67). The binary value of 2.675 is slightly below 2.675, so rounding the
 * double itself cannot give what the table printed. Instead each value is
 * written with 15 significant digits (the most that survive a round trip
 * through a double, DBL_DIG), the decimal digit string is rounded half away
 * from zero at the requested place, and the result is read back with
 * strtod(), which gives the double nearest to the decimal result. Exact for
 * every value printed with up to 15 significant digits.
 */
#include <stdio.h>
#include <stdlib.h>

#include "spreiding.h"
#include "table.h"

static double round_one(double x, int digits) {
  if (!R_FINITE(x) || x == 0) return x;
  char buf[64];
  snprintf(buf, sizeof buf, "%.14e", fabs(x)); /* d.dddddddddddddde[+-]XX */
  char mant[16];
  int nd = 0;
  for (const char *c = buf; *c && *c != 'e'; c++)
    if (*c >= '0' && *c <= '9') mant[nd++] = *c;
  int expo = atoi(strchr(buf, 'e') + 1);
  int keep = expo + digits + 1; /* significant digits left of the cut */
  if (keep >= nd) return x;     /* nothing beyond the 15 digits to round */
  long long m = 0;
  for (int j = 0; j < keep; j++) m = 10 * m + (mant[j] - '0');
  if (keep >= 0 && mant[keep] >= '5') m++;
  if (keep < 0) m = 0;
  snprintf(buf, sizeof buf, "%s%llde%d", x < 0 ? "-" : "", m, -digits);
  return strtod(buf, NULL);
}

SEXP spr_c_round_half_away(SEXP x_sexp, SEXP digits_sexp) {
  if (TYPEOF(x_sexp) != REALSXP) SPR_INTERNAL("x must be double");
  int digits = Rf_asInteger(digits_sexp);
  if (digits == NA_INTEGER)
    spr_error("digits", 0, "`digits` must be a whole number, not NA.");
  if (digits < -400) digits = -400; /* beyond any double: everything is 0 */
  R_xlen_t n = XLENGTH(x_sexp);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, n));
  const double *v_x = REAL(x_sexp);
  double *v_out = REAL(out);
  for (R_xlen_t i = 0; i < n; i++) {
    if ((i & 0xffff) == 0xffff) R_CheckUserInterrupt();
    v_out[i] = ISNAN(v_x[i]) ? v_x[i] : round_one(v_x[i], digits);
  }
  Rf_copyMostAttrib(x_sexp, out);
  SEXP names = Rf_getAttrib(x_sexp, R_NamesSymbol);
  if (!Rf_isNull(names)) Rf_setAttrib(out, R_NamesSymbol, names);
  SEXP dim = Rf_getAttrib(x_sexp, R_DimSymbol);
  if (!Rf_isNull(dim)) Rf_setAttrib(out, R_DimSymbol, dim);
  UNPROTECT(1);
  return out;
}
