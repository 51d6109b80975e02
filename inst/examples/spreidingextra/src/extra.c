/*
 * extra.c -- three plugins for spreiding, written against its public C API
 * (<spreiding.h>, found through LinkingTo: spreiding):
 *
 *   second_largest(x)          statistic: the second-largest value of x in
 *                              each group (0 when the group has one value,
 *                              NA when it has none)
 *   relative_band(x, below = 0.9, above = 1.1)
 *                              classifier: x against the mean of x over all
 *                              regions
 *   p_percent(x, top1, top2, p = 10)
 *                              disclosure rule: the p% rule for magnitudes
 *
 * A kernel runs inside spreiding's engine and must never jump out of it: no
 * Rf_error(), no R allocation, no R_CheckUserInterrupt(). It reports a
 * problem by filling `err` and returning SPREIDING_ERROR; spreiding turns
 * that into a classed R error naming the argument and the row.
 */
#include <R.h>
#include <Rinternals.h>
#include <spreiding.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROVIDER "spreidingextra"
#define CHUNK 65536 /* rows between interrupt checks */

/* ---- second_largest(x): a reducing statistic ---------------------------- */

static int second_largest_reduce(const spreiding_groups *groups,
                                 const spreiding_column *args, int nargs,
                                 const double *weights, const double *params,
                                 int nparams, double *const *out, int nout,
                                 void *data, spreiding_error *err) {
  (void)nargs, (void)weights, (void)params, (void)nparams, (void)nout;
  (void)data;
  const int n = groups->n, ng = groups->ng;
  double *v_second = out[0];
  /* scratch: the largest value and the number of values per group */
  double *v_first = malloc((ng > 0 ? (size_t)ng : 1) * sizeof(double));
  int *v_seen = calloc(ng > 0 ? (size_t)ng : 1, sizeof(int));
  if (v_first == NULL || v_seen == NULL) {
    free(v_first);
    free(v_seen);
    snprintf(err->message, SPREIDING_MESSAGE_SIZE, "out of memory");
    return SPREIDING_ERROR;
  }
  for (int g = 0; g < ng; g++) v_first[g] = v_second[g] = R_NegInf;

  for (int i = 0; i < n; i++) {
    if ((i + 1) % CHUNK == 0 && spreiding_check_interrupt()) {
      free(v_first);
      free(v_seen);
      return SPREIDING_INTERRUPTED;
    }
    const int g = groups->group[i] - 1;
    const double x = spreiding_column_value(&args[0], i);
    if (g < 0 || ISNAN(x)) continue;
    if (x < 0) {
      snprintf(err->message, SPREIDING_MESSAGE_SIZE,
               "second_largest() needs values of at least 0, not %g", x);
      err->arg = 1;
      err->row = i + 1;
      free(v_first);
      free(v_seen);
      return SPREIDING_ERROR;
    }
    if (x > v_first[g]) {
      v_second[g] = v_first[g];
      v_first[g] = x;
    } else if (x > v_second[g]) {
      v_second[g] = x;
    }
    v_seen[g]++;
  }
  for (int g = 0; g < ng; g++) {
    if (v_seen[g] == 0) v_second[g] = NA_REAL;
    else if (v_seen[g] == 1) v_second[g] = 0.0; /* no second contributor */
  }
  free(v_first);
  free(v_seen);
  return SPREIDING_OK;
}

/* ---- relative_band(x, below, above): a classifier ----------------------- */

static int relative_band_classify(int n, const double *const *args,
                                  int nargs, const double *params,
                                  int nparams, int *out, void *data,
                                  spreiding_error *err) {
  (void)nargs, (void)nparams, (void)data;
  const double *v_x = args[0];
  const double below = params[0], above = params[1];
  if (!(below <= above)) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "`below` (%g) must not be larger than `above` (%g)", below,
             above);
    return SPREIDING_ERROR;
  }
  double sum = 0.0;
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (!ISNAN(v_x[i])) {
      sum += v_x[i];
      m++;
    }
  }
  const double mean = m > 0 ? sum / m : NA_REAL;
  for (int i = 0; i < n; i++) {
    if (ISNAN(v_x[i]) || ISNAN(mean) || mean <= 0) {
      out[i] = NA_INTEGER;
    } else if (v_x[i] < below * mean) {
      out[i] = 1;
    } else if (v_x[i] > above * mean) {
      out[i] = 3;
    } else {
      out[i] = 2;
    }
  }
  return SPREIDING_OK;
}

/* ---- p_percent(x, top1, top2, p): a primary disclosure rule ------------- */

/* A cell total x of contributions, of which top1 and top2 are the two
 * largest: the second-largest contributor knows x - top1 - top2 is all
 * the others together, and so estimates top1 to within that remainder.
 * The cell is sensitive when that is less than p% of top1. */
static int p_percent_disclose(int n, const double *const *cols, int ncols,
                              const double *params, int nparams, int *status,
                              void *data, spreiding_error *err) {
  (void)ncols, (void)nparams, (void)data;
  const double *v_x = cols[0], *v_top1 = cols[1], *v_top2 = cols[2];
  const double p = params[0];
  if (!(p >= 0)) {
    snprintf(err->message, SPREIDING_MESSAGE_SIZE,
             "`p` must be a percentage of at least 0, not %g", p);
    return SPREIDING_ERROR;
  }
  for (int i = 0; i < n; i++) {
    if (v_top1[i] + v_top2[i] > v_x[i] * (1 + 1e-9) + 1e-9) {
      snprintf(err->message, SPREIDING_MESSAGE_SIZE,
               "the two largest contributions (%g + %g) exceed the cell "
               "total %g", v_top1[i], v_top2[i], v_x[i]);
      err->arg = 2;
      err->row = i + 1;
      return SPREIDING_ERROR;
    }
    if (v_x[i] > 0 && v_x[i] - v_top1[i] - v_top2[i] < p / 100 * v_top1[i])
      status[i] = 1;
  }
  return SPREIDING_OK;
}

/* ---- registration ------------------------------------------------------- */

/* The registry copies names, defaults and levels; these arrays need not
 * outlive registration, but static storage keeps that simple. */
static const char *const x_arg[] = {"x"};
static const char *const band_params[] = {"below", "above"};
static const double band_defaults[] = {0.9, 1.1};
static const char *const band_levels[] = {"below the mean", "around the mean",
                                          "above the mean"};
static const char *const p_args[] = {"x", "top1", "top2"};
static const char *const p_params[] = {"p"};
static const double p_defaults[] = {10};

static const char *const registries[] = {"statistics", "classifiers",
                                         "disclosure_rules"};
static const char *const names[] = {"second_largest", "relative_band",
                                    "p_percent"};

/* Undo the first k registrations, then raise the error of the next. */
static void fail(int k, const spreiding_error *err) {
  for (int j = k - 1; j >= 0; j--)
    spreiding_unregister(registries[j], names[j], PROVIDER);
  Rf_error("spreidingextra could not register %s(): %s", names[k],
           err->message);
}

SEXP extra_c_api_version(void) {
  return Rf_ScalarInteger(SPREIDING_API_VERSION);
}

SEXP extra_c_register(void) {
  spreiding_error err;
  /* Look the interrupt check up now, in R's context: the shim's first call
   * may raise an R error, which must not happen inside a kernel. */
  (void)spreiding_check_interrupt();

  const spreiding_statistic second_largest = {
      .api_version = SPREIDING_API_VERSION,
      .name = names[0],
      .description = "Second-largest value per group (0 with one value)",
      .provider = PROVIDER,
      .kind = SPREIDING_REDUCING,
      .nargs = 1,
      .arg_names = x_arg,
      .nout = 1,
      .reduce = second_largest_reduce};
  memset(&err, 0, sizeof err);
  if (spreiding_register_statistic(&second_largest, 1, &err) != SPREIDING_OK)
    fail(0, &err);

  const spreiding_classifier relative_band = {
      .api_version = SPREIDING_API_VERSION,
      .name = names[1],
      .description = "x below, around or above its mean over all regions",
      .provider = PROVIDER,
      .nargs = 1,
      .arg_names = x_arg,
      .nparams = 2,
      .param_names = band_params,
      .param_defaults = band_defaults,
      .nlevels = 3,
      .levels = band_levels,
      .classify = relative_band_classify};
  memset(&err, 0, sizeof err);
  if (spreiding_register_classifier(&relative_band, 1, &err) != SPREIDING_OK)
    fail(1, &err);

  const spreiding_disclosure_rule p_percent = {
      .api_version = SPREIDING_API_VERSION,
      .name = names[2],
      .description = "p% rule: the others add up to less than p% of the "
                     "largest contribution",
      .provider = PROVIDER,
      .nargs = 3,
      .arg_names = p_args,
      .nparams = 1,
      .param_names = p_params,
      .param_defaults = p_defaults,
      .disclose = p_percent_disclose};
  memset(&err, 0, sizeof err);
  if (spreiding_register_disclosure_rule(&p_percent, 1, &err) != SPREIDING_OK)
    fail(2, &err);
  return R_NilValue;
}

SEXP extra_c_unregister(void) {
  for (int k = 0; k < 3; k++)
    spreiding_unregister(registries[k], names[k], PROVIDER);
  return R_NilValue;
}
