/*
 * plugin.c -- spreidingplugin: a consumer of spreiding's public C plugin API.
 *
 * This package exists to prove that <spreiding.h> (inst/include of
 * spreiding) is all another package needs to extend spreiding's registries.
 * It registers, under provider "spreidingplugin":
 *
 *   geomean(x)      reducing statistic: geometric mean of the non-missing x
 *                   of each group, exp(sum(w log x) / sum(w)) with case
 *                   weights w (1 when unweighted); NA for a group without
 *                   values; x <= 0 is an error naming the row.
 *   logratio(a, b)  deriving statistic: log(a / b) of two group-level
 *                   columns; NA where either is missing or not positive.
 *   above(x, cut)   classifier: "yes" where x > cut, "no" where x <= cut.
 *   share_band(part, whole, lo = 0.25, hi = 0.75)
 *                   classifier: the share part / whole "below" lo, "within"
 *                   [lo, hi] or "above" hi; NA where either is missing or
 *                   whole is not positive; a part below 0 or above whole is
 *                   an error naming the row.
 *   max_count(n)    primary disclosure rule: suppress counts above n (only
 *                   useful to show that rules can be registered).
 *
 * The kernels keep the header's contract: they never longjmp, allocate R
 * objects or call R; they report problems through spreiding_error. The
 * .Call entry points at the bottom run in R's context and may Rf_error().
 */
#include "plugin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROVIDER "spreidingplugin"

/* Rows between interrupt checks in geomean's loop. */
#define GEOMEAN_CHUNK 65536

/* ---- Kernels ------------------------------------------------------------ */

static int geomean_reduce(const spreiding_groups *groups,
                          const spreiding_column *args, int nargs,
                          const double *weights, const double *params,
                          int nparams, double *const *out, int nout,
                          void *data, spreiding_error *err) {
  (void)params;
  (void)nparams;
  (void)data;
  if (nargs != 1 || nout != 1) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "geomean() got %d arguments and %d outputs; expected 1 and 1",
             nargs, nout);
    return SPREIDING_ERROR;
  }
  const int n = groups->n, ng = groups->ng;
  const int *v_group = groups->group;
  const int is_int = args[0].type == SPREIDING_INTEGER;
  const int *v_xi = is_int ? (const int *)args[0].data : NULL;
  const double *v_xd = is_int ? NULL : (const double *)args[0].data;
  double *v_logsum = out[0]; /* accumulates sum(w log x), then the result */

  /* Nothing can jump out of a kernel, so plain malloc is safe here. */
  double *v_wsum = calloc(ng > 0 ? (size_t)ng : 1, sizeof(double));
  if (v_wsum == NULL) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "geomean() could not allocate scratch for %d groups", ng);
    return SPREIDING_ERROR;
  }
  for (int g = 0; g < ng; g++) v_logsum[g] = 0.0;

  for (int i = 0; i < n; i++) {
    if ((i + 1) % GEOMEAN_CHUNK == 0 && spreiding_check_interrupt()) {
      free(v_wsum);
      return SPREIDING_INTERRUPTED;
    }
    const int g = v_group[i] - 1;
    if (g < 0 || g >= ng) continue; /* a row outside every group */
    double x;
    if (is_int) {
      if (v_xi[i] == NA_INTEGER) continue;
      x = (double)v_xi[i];
    } else {
      x = v_xd[i];
      if (ISNAN(x)) continue;
    }
    if (!(x > 0.0)) {
      snprintf(err->message, SPREIDING_MESSAGE_SIZE,
               "the geometric mean needs positive values, but `%s` is %.15g",
               args[0].name != NULL ? args[0].name : "x", x);
      err->row = i + 1;
      err->arg = 1;
      free(v_wsum);
      return SPREIDING_ERROR;
    }
    const double w = weights != NULL ? weights[i] : 1.0;
    v_logsum[g] += w * log(x);
    v_wsum[g] += w;
  }

  for (int g = 0; g < ng; g++) {
    v_logsum[g] = v_wsum[g] > 0.0 ? exp(v_logsum[g] / v_wsum[g]) : NA_REAL;
  }
  free(v_wsum);
  return SPREIDING_OK;
}

static int logratio_derive(int ng, const double *const *args, int nargs,
                           const double *params, int nparams,
                           double *const *out, int nout, void *data,
                           spreiding_error *err) {
  (void)params;
  (void)nparams;
  (void)data;
  if (nargs != 2 || nout != 1) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "logratio() got %d arguments and %d outputs; expected 2 and 1",
             nargs, nout);
    return SPREIDING_ERROR;
  }
  const double *v_a = args[0], *v_b = args[1];
  double *v_out = out[0];
  for (int g = 0; g < ng; g++) {
    const double a = v_a[g], b = v_b[g];
    double r = NA_REAL;
    if (!ISNAN(a) && !ISNAN(b) && a > 0.0 && b > 0.0) {
      /* log(a) - log(b) rather than log(a / b): a / b may overflow. */
      r = log(a) - log(b);
      if (!R_FINITE(r)) r = NA_REAL; /* the header asks for NA, never Inf */
    }
    v_out[g] = r;
  }
  return SPREIDING_OK;
}

static int above_classify(int n, const double *const *args, int nargs,
                          const double *params, int nparams, int *out,
                          void *data, spreiding_error *err) {
  (void)data;
  if (nargs != 1 || nparams != 1) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "above() got %d arguments and %d parameters; expected 1 and 1",
             nargs, nparams);
    return SPREIDING_ERROR;
  }
  const double cut = params[0];
  if (ISNAN(cut)) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "above() needs a value for `cut`");
    return SPREIDING_ERROR;
  }
  const double *v_x = args[0];
  for (int i = 0; i < n; i++) {
    out[i] = ISNAN(v_x[i]) ? NA_INTEGER : (v_x[i] > cut ? 2 : 1);
  }
  return SPREIDING_OK;
}

static int share_band_classify(int n, const double *const *args, int nargs,
                               const double *params, int nparams, int *out,
                               void *data, spreiding_error *err) {
  (void)data;
  if (nargs != 2 || nparams != 2) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "share_band() got %d arguments and %d parameters; expected 2 "
             "and 2", nargs, nparams);
    return SPREIDING_ERROR;
  }
  const double lo = params[0], hi = params[1];
  if (ISNAN(lo) || ISNAN(hi) || lo > hi) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "share_band() needs lo <= hi, not lo = %g and hi = %g", lo, hi);
    return SPREIDING_ERROR;
  }
  const double *v_part = args[0], *v_whole = args[1];
  for (int i = 0; i < n; i++) {
    const double part = v_part[i], whole = v_whole[i];
    if (!ISNAN(part) && !ISNAN(whole) && (part < 0 || part > whole)) {
      snprintf(err->message, SPREIDING_MESSAGE_SIZE,
               "the part (%g) must lie between 0 and the whole (%g)", part,
               whole);
      err->row = i + 1;
      err->arg = 1;
      return SPREIDING_ERROR;
    }
    if (ISNAN(part) || ISNAN(whole) || !(whole > 0)) {
      out[i] = NA_INTEGER;
      continue;
    }
    const double share = part / whole;
    out[i] = share < lo ? 1 : (share > hi ? 3 : 2);
  }
  return SPREIDING_OK;
}

static int max_count_disclose(int n, const double *const *cols, int ncols,
                              const double *params, int nparams, int *status,
                              void *data, spreiding_error *err) {
  (void)data;
  (void)ncols;
  const double *counts = cols[0];
  if (nparams != 1 || ISNAN(params[0])) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "max_count() needs a value for `n`");
    return SPREIDING_ERROR;
  }
  const double limit = params[0];
  for (int i = 0; i < n; i++) {
    if (!ISNAN(counts[i]) && counts[i] > limit) status[i] = 1;
  }
  return SPREIDING_OK;
}

/* ---- Definitions -------------------------------------------------------- */

/* Kept at file scope: the header only promises that strings are copied at
 * registration, so the arrays stay valid for as long as the DLL is loaded. */
static const char *const geomean_args[] = {"x"};
static const char *const logratio_args[] = {"a", "b"};
static const char *const above_args[] = {"x"};
static const char *const above_params[] = {"cut"};
static const char *const above_levels[] = {"no", "yes"};
static const char *const share_band_args[] = {"part", "whole"};
static const char *const share_band_params[] = {"lo", "hi"};
static const double share_band_defaults[] = {0.25, 0.75};
static const char *const share_band_levels[] = {"below", "within", "above"};
static const char *const max_count_args[] = {"x"};
static const char *const max_count_params[] = {"n"};
/* NA_REAL is not a constant expression; filled in by register_all(). */
static double above_defaults[1];
static double max_count_defaults[1];

/* Registered entries, for unregistering (and rolling back a failed load). */
static const struct {
  const char *registry;
  const char *name;
} entries[] = {{"statistics", "geomean"},
               {"statistics", "logratio"},
               {"classifiers", "above"},
               {"disclosure_rules", "max_count"},
               {"classifiers", "share_band"}};
#define N_ENTRIES ((int)(sizeof entries / sizeof entries[0]))

static void unregister_first(int k) {
  for (int j = k - 1; j >= 0; j--) {
    spreiding_unregister(entries[j].registry, entries[j].name, PROVIDER);
  }
}

/* Raise an R error after undoing the first k registrations. `err` is a
 * local of the caller; Rf_error() formats the message before it jumps. */
static void fail(int k, const spreiding_error *err) {
  unregister_first(k);
  Rf_error("spreidingplugin could not register `%s` with spreiding: %s",
           entries[k].name,
           err->message[0] != '\0' ? err->message : "(no message)");
}

/* ---- .Call entry points ------------------------------------------------- */

SEXP spreidingplugin_c_api_versions(void) {
  SEXP out = PROTECT(Rf_allocVector(INTSXP, 2));
  SEXP names = PROTECT(Rf_allocVector(STRSXP, 2));
  INTEGER(out)[0] = spreiding_api_version();
  INTEGER(out)[1] = SPREIDING_API_VERSION;
  SET_STRING_ELT(names, 0, Rf_mkChar("engine"));
  SET_STRING_ELT(names, 1, Rf_mkChar("compiled"));
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(2);
  return out;
}

SEXP spreidingplugin_c_register(void) {
  spreiding_error err;
  above_defaults[0] = NA_REAL;
  max_count_defaults[0] = NA_REAL;

  /* The shims look spreiding's functions up on first use, which can raise
   * an R error; resolve the interrupt check here, in R's context, so the
   * first call from inside a kernel cannot jump. */
  (void)spreiding_check_interrupt();

  const spreiding_statistic geomean = {
      .api_version = SPREIDING_API_VERSION,
      .name = "geomean",
      .description = "Geometric mean of the non-missing, positive values",
      .provider = PROVIDER,
      .kind = SPREIDING_REDUCING,
      .nargs = 1,
      .arg_names = geomean_args,
      .nparams = 0,
      .param_names = NULL,
      .param_defaults = NULL,
      .nout = 1,
      .out_suffixes = NULL,
      .flags = 0u,
      .reduce = geomean_reduce,
      .derive = NULL,
      .data = NULL};
  memset(&err, 0, sizeof err);
  if (spreiding_register_statistic(&geomean, 1, &err) != SPREIDING_OK)
    fail(0, &err);

  const spreiding_statistic logratio = {
      .api_version = SPREIDING_API_VERSION,
      .name = "logratio",
      .description = "Natural log of the ratio of two group-level columns",
      .provider = PROVIDER,
      .kind = SPREIDING_DERIVING,
      .nargs = 2,
      .arg_names = logratio_args,
      .nparams = 0,
      .param_names = NULL,
      .param_defaults = NULL,
      .nout = 1,
      .out_suffixes = NULL,
      .flags = 0u,
      .reduce = NULL,
      .derive = logratio_derive,
      .data = NULL};
  memset(&err, 0, sizeof err);
  if (spreiding_register_statistic(&logratio, 1, &err) != SPREIDING_OK)
    fail(1, &err);

  const spreiding_classifier above = {
      .api_version = SPREIDING_API_VERSION,
      .name = "above",
      .description = "Whether a region-level value exceeds a cut-off",
      .provider = PROVIDER,
      .nargs = 1,
      .arg_names = above_args,
      .nparams = 1,
      .param_names = above_params,
      .param_defaults = above_defaults,
      .nlevels = 2,
      .levels = above_levels,
      .classify = above_classify,
      .data = NULL};
  memset(&err, 0, sizeof err);
  if (spreiding_register_classifier(&above, 1, &err) != SPREIDING_OK)
    fail(2, &err);

  const spreiding_disclosure_rule max_count = {
      .api_version = SPREIDING_API_VERSION,
      .name = "max_count",
      .description = "Suppress counts above a maximum",
      .provider = PROVIDER,
      .nargs = 1,
      .arg_names = max_count_args,
      .nparams = 1,
      .param_names = max_count_params,
      .param_defaults = max_count_defaults,
      .disclose = max_count_disclose,
      .data = NULL};
  memset(&err, 0, sizeof err);
  if (spreiding_register_disclosure_rule(&max_count, 1, &err) != SPREIDING_OK)
    fail(3, &err);

  const spreiding_classifier share_band = {
      .api_version = SPREIDING_API_VERSION,
      .name = "share_band",
      .description = "Whether part / whole is below, within or above a band",
      .provider = PROVIDER,
      .nargs = 2,
      .arg_names = share_band_args,
      .nparams = 2,
      .param_names = share_band_params,
      .param_defaults = share_band_defaults,
      .nlevels = 3,
      .levels = share_band_levels,
      .classify = share_band_classify,
      .data = NULL};
  memset(&err, 0, sizeof err);
  if (spreiding_register_classifier(&share_band, 1, &err) != SPREIDING_OK)
    fail(4, &err);

  return R_NilValue;
}

/* Returns, per entry, what spreiding_unregister() said: 1 removed, 0 not
 * there, -1 refused. */
SEXP spreidingplugin_c_unregister(void) {
  SEXP out = PROTECT(Rf_allocVector(INTSXP, N_ENTRIES));
  int *v_out = INTEGER(out);
  for (int k = 0; k < N_ENTRIES; k++) {
    v_out[k] = spreiding_unregister(entries[k].registry, entries[k].name,
                                    PROVIDER);
  }
  UNPROTECT(1);
  return out;
}
