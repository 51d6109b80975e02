/*
 * classify.c -- region classes: the built-in classifier kernels and the
 * engine that runs any C classifier of the registry.
 *
 * A classifier assigns each row of a region table (one row per region) a
 * class code 1..nlevels, or NA, from region-level columns; classify() in
 * R/classify.R turns the codes into a factor. The three built-ins have the
 * plugin signature of inst/include/spreiding.h (spreiding_classify_fn) and
 * are registered at load time through the same path a plugin uses; their
 * R front-ends (quadrant(), thresholds(), coverage_bands()) check the
 * user's arguments and pack them into the kernels' columns and parameters:
 *
 *   quadrant        columns x, y, weights; parameters x_rule, x_cut, y_rule,
 *                   y_cut. A rule is 0 (the number in *_cut), 1 (mean),
 *                   2 (median) or 3 (weighted mean with `weights`), each
 *                   computed over the rows where that variable is present
 *                   (R's mean(), median() and weighted.mean() with
 *                   na.rm = TRUE, to the last bit for mean and median).
 *                   A value above its cut is "high", one at or below it
 *                   "low". Codes: 1 high x & low y (favourable), 2 high x &
 *                   high y, 3 low x & low y, 4 low x & high y
 *                   (unfavourable). This is the labour-market position of
 *                   the Nivel factsheet on young GPs: popularity x against
 *                   expected outflow y.
 *   thresholds      columns x, high_need; parameters k, right,
 *                   high_need_right, then k cuts and k high-need cuts. The
 *                   class is 1 + the number of cuts below x (right = 1: cuts
 *                   strictly below, so a value equal to a cut stays in the
 *                   lower class, as in base::cut(right = TRUE); right = 0:
 *                   cuts at or below). Rows with high_need 1 are classed by
 *                   the high-need cuts (and high_need_right) instead; rows
 *                   with high_need missing get the class both rules agree
 *                   on, NA otherwise. With one cut of 3500 (right = 0) and a
 *                   high-need cut of 3000 (high_need_right = 1) this is the
 *                   US HPSA rule for primary care (42 CFR Part 5, Appendix
 *                   A): a population to FTE ratio of at least 3,500:1, or of
 *                   more than 3,000:1 with unusually high needs.
 *   coverage_bands  columns actual, target, age_factor; the parameters are
 *                   the k increasing band edges. The coverage ratio
 *                   (Versorgungsgrad) is actual / (target * age_factor);
 *                   below the first edge is class 1, and otherwise the class
 *                   is 2 + the number of further edges strictly below the
 *                   ratio. So a ratio equal to the first edge is not below
 *                   it and a ratio equal to a later edge is not above it:
 *                   with edges 0.75 and 1.10, exactly 75% and exactly 110%
 *                   are both "regular", as the German
 *                   Bedarfsplanungs-Richtlinie words it (undersupply when
 *                   the GP ratio falls more than 25% below the target,
 *                   oversupply when it exceeds it by more than 10%).
 *                   A target of 0 gives NA.
 *
 * Missing values in give NA out. A value no rule can class (a negative
 * capacity, a high_need of 2, a negative weight) is an error naming the
 * argument and the 1-based row. These kernels are part of the engine, so,
 * like those of statistics.c, they may use R_alloc() and check for
 * interrupts with R_CheckUserInterrupt(); plugin kernels may not.
 *
 * Public: spr_register_builtin_classifiers() (init.c) and the .Call entry
 * spr_c_classify(), which runs the kernel of any C classifier (built-in or
 * plugin) and checks the codes it returns.
 */
#include "classify.h"

#include <stdarg.h>
#include <stdio.h>

#include "registry.h"

/* Interrupt check every 1,024 rows. */
#define SPR_TICK(i) \
  if (((i) & 1023) == 1023) R_CheckUserInterrupt()

enum { RULE_NUMBER = 0, RULE_MEAN, RULE_MEDIAN, RULE_WEIGHTED_MEAN };

static int fail(spreiding_error *err, int arg, int row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(spreiding_error *err, int arg, int row, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, SPREIDING_MESSAGE_SIZE, fmt, ap);
  va_end(ap);
  err->arg = arg;
  err->row = row;
  return SPREIDING_ERROR;
}

/* ---- cuts ------------------------------------------------------------------ */

/* R's mean(): a long double sum, then one correction pass. */
static double mean_of(int n, const double *v) {
  long double s = 0;
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (ISNAN(v[i])) continue;
    s += v[i];
    m++;
    SPR_TICK(i);
  }
  if (m == 0) return NA_REAL;
  s /= m;
  if (R_FINITE((double)s)) {
    long double t = 0;
    for (int i = 0; i < n; i++)
      if (!ISNAN(v[i])) t += v[i] - s;
    s += t / m;
  }
  return (double)s;
}

/* R's median(): the middle value, or the mean of the two middle values. */
static double median_of(int n, const double *v) {
  double *w = (double *)R_alloc((size_t)n + 1, sizeof(double));
  int m = 0;
  for (int i = 0; i < n; i++)
    if (!ISNAN(v[i])) w[m++] = v[i];
  if (m == 0) return NA_REAL;
  R_rsort(w, m);
  if (m % 2 == 1) return w[m / 2];
  return (double)(((long double)w[m / 2 - 1] + w[m / 2]) / 2);
}

/* R's weighted.mean(): sum(x * w) / sum(w) over the rows where x is
 * present; every such row needs a finite, non-negative weight. */
static int weighted_mean_of(int n, const double *v, const double *w,
                            int weights_arg, double *cut,
                            spreiding_error *err) {
  long double sxw = 0, sw = 0;
  for (int i = 0; i < n; i++) {
    if (ISNAN(v[i])) continue;
    if (!R_FINITE(w[i]) || w[i] < 0)
      return fail(err, weights_arg, i + 1,
                  "weights must be finite and non-negative, not %g", w[i]);
    if (w[i] != 0) sxw += v[i] * w[i]; /* as R: Inf * 0 is left out */
    sw += w[i];
    SPR_TICK(i);
  }
  if (!(sw > 0))
    return fail(err, weights_arg, 0,
                "the weights of the rows with a value sum to %g; a weighted "
                "mean needs a positive sum", (double)sw);
  *cut = (double)sxw / (double)sw;
  return SPREIDING_OK;
}

static int axis_cut(int n, const double *v, const double *w, double rule,
                    double value, int weights_arg, double *cut,
                    spreiding_error *err) {
  switch ((int)rule) {
    case RULE_NUMBER:
      if (!R_FINITE(value))
        return fail(err, 0, 0, "a cut must be a finite number, not %g", value);
      *cut = value;
      return SPREIDING_OK;
    case RULE_MEAN:
      *cut = mean_of(n, v);
      return SPREIDING_OK;
    case RULE_MEDIAN:
      *cut = median_of(n, v);
      return SPREIDING_OK;
    case RULE_WEIGHTED_MEAN:
      return weighted_mean_of(n, v, w, weights_arg, cut, err);
    default:
      return fail(err, 0, 0, "unknown cut rule %g", rule);
  }
}

/* ---- kernels --------------------------------------------------------------- */

static int k_quadrant(int n, const double *const *args, int nargs,
                      const double *params, int nparams, int *out, void *data,
                      spreiding_error *err) {
  (void)data;
  if (nargs != 3 || nparams != 4)
    return fail(err, 0, 0, "quadrant() needs 3 columns and 4 parameters");
  const double *v_x = args[0], *v_y = args[1], *v_w = args[2];
  double cx = NA_REAL, cy = NA_REAL;
  if (axis_cut(n, v_x, v_w, params[0], params[1], 3, &cx, err) != SPREIDING_OK ||
      axis_cut(n, v_y, v_w, params[2], params[3], 3, &cy, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  for (int i = 0; i < n; i++) {
    double x = v_x[i], y = v_y[i];
    if (ISNAN(x) || ISNAN(y) || ISNAN(cx) || ISNAN(cy)) {
      out[i] = NA_INTEGER;
    } else {
      int high_x = x > cx, high_y = y > cy;
      out[i] = high_x ? (high_y ? 2 : 1) : (high_y ? 4 : 3);
    }
    SPR_TICK(i);
  }
  return SPREIDING_OK;
}

/* 1 + the number of cuts below v (right: strictly below). */
static int class_of(double v, const double *cuts, int k, int right) {
  int c = 1;
  for (int j = 0; j < k; j++) {
    if (right ? v > cuts[j] : v >= cuts[j])
      c++;
    else
      break;
  }
  return c;
}

static int check_increasing(const double *cuts, int k, spreiding_error *err) {
  for (int j = 0; j < k; j++) {
    if (!R_FINITE(cuts[j]))
      return fail(err, 0, 0, "cuts must be finite numbers, not %g", cuts[j]);
    if (j > 0 && !(cuts[j] > cuts[j - 1]))
      return fail(err, 0, 0, "cuts must be strictly increasing, but %g "
                  "follows a larger or equal cut", cuts[j]);
  }
  return SPREIDING_OK;
}

static int k_thresholds(int n, const double *const *args, int nargs,
                        const double *params, int nparams, int *out,
                        void *data, spreiding_error *err) {
  (void)data;
  int k = nparams >= 1 && R_FINITE(params[0]) ? (int)params[0] : -1;
  if (nargs != 2 || k < 1 || nparams != 3 + 2 * k)
    return fail(err, 0, 0, "thresholds() needs 2 columns and 3 + 2k "
                "parameters (k, right, high_need_right, k cuts, k high-need "
                "cuts)");
  int right = params[1] != 0, need_right = params[2] != 0;
  const double *cuts = params + 3, *need_cuts = params + 3 + k;
  if (check_increasing(cuts, k, err) != SPREIDING_OK ||
      check_increasing(need_cuts, k, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  const double *v_x = args[0], *v_need = args[1];
  for (int i = 0; i < n; i++) {
    double x = v_x[i], h = v_need[i];
    if (!ISNAN(h) && h != 0 && h != 1)
      return fail(err, 2, i + 1, "high_need must be TRUE/FALSE or 1/0, not %g",
                  h);
    if (ISNAN(x)) {
      out[i] = NA_INTEGER;
    } else if (h == 0) {
      out[i] = class_of(x, cuts, k, right);
    } else if (h == 1) {
      out[i] = class_of(x, need_cuts, k, need_right);
    } else { /* need unknown: the class both rules agree on */
      int a = class_of(x, cuts, k, right);
      int b = class_of(x, need_cuts, k, need_right);
      out[i] = a == b ? a : NA_INTEGER;
    }
    SPR_TICK(i);
  }
  return SPREIDING_OK;
}

static int k_coverage_bands(int n, const double *const *args, int nargs,
                            const double *params, int nparams, int *out,
                            void *data, spreiding_error *err) {
  (void)data;
  if (nargs != 3 || nparams < 1)
    return fail(err, 0, 0, "coverage_bands() needs 3 columns and at least "
                "one band edge");
  if (check_increasing(params, nparams, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  const double *v_actual = args[0], *v_target = args[1], *v_age = args[2];
  for (int i = 0; i < n; i++) {
    double a = v_actual[i], t = v_target[i], f = v_age[i];
    if (!ISNAN(a) && !(R_FINITE(a) && a >= 0))
      return fail(err, 1, i + 1, "actual capacity must be finite and "
                  "non-negative, not %g", a);
    if (!ISNAN(t) && !(R_FINITE(t) && t >= 0))
      return fail(err, 2, i + 1, "target capacity must be finite and "
                  "non-negative, not %g", t);
    if (!ISNAN(f) && !(R_FINITE(f) && f > 0))
      return fail(err, 3, i + 1, "age_factor must be finite and positive, "
                  "not %g", f);
    double need = t * f;
    if (ISNAN(a) || ISNAN(need) || need == 0) {
      out[i] = NA_INTEGER;
    } else {
      double ratio = a / need;
      out[i] = ratio < params[0] ? 1 : 1 + class_of(ratio, params + 1,
                                                    nparams - 1, 1);
    }
    SPR_TICK(i);
  }
  return SPREIDING_OK;
}

/* ---- .Call: the engine ------------------------------------------------------- */

/* impl_sexp: a registry entry's raw implementation (a C classifier).
 * n_sexp: number of rows. args_sexp: list of double columns of length n.
 * params_sexp: double parameters. nlevels_sexp: number of classes.
 * name_sexp: the classifier's name, argnames_sexp: its column arguments'
 * names, for messages. Returns the integer class codes (1..nlevels or NA). */
SEXP spr_c_classify(SEXP impl_sexp, SEXP n_sexp, SEXP args_sexp,
                    SEXP params_sexp, SEXP nlevels_sexp, SEXP name_sexp,
                    SEXP argnames_sexp) {
  if (TYPEOF(impl_sexp) != RAWSXP || XLENGTH(impl_sexp) != sizeof(spr_impl))
    SPR_INTERNAL("not a C classifier");
  spr_impl impl;
  memcpy(&impl, RAW(impl_sexp), sizeof impl);
  if (impl.classify == NULL) SPR_INTERNAL("classifier has no kernel");
  if (TYPEOF(args_sexp) != VECSXP || TYPEOF(params_sexp) != REALSXP ||
      !Rf_isString(name_sexp) || XLENGTH(name_sexp) != 1 ||
      !Rf_isString(argnames_sexp) ||
      XLENGTH(argnames_sexp) != XLENGTH(args_sexp))
    SPR_INTERNAL("malformed classifier call");
  double dn = Rf_asReal(n_sexp);
  if (!(dn >= 0 && dn <= INT_MAX - 1)) SPR_INTERNAL("bad number of rows");
  int n = (int)dn, nlevels = Rf_asInteger(nlevels_sexp);
  if (nlevels == NA_INTEGER || nlevels < 1) SPR_INTERNAL("bad number of levels");
  int nargs = (int)XLENGTH(args_sexp);
  const double **a = (const double **)R_alloc((size_t)nargs + 1, sizeof(double *));
  for (int j = 0; j < nargs; j++) {
    SEXP x = VECTOR_ELT(args_sexp, j);
    if (TYPEOF(x) != REALSXP || XLENGTH(x) != n)
      SPR_INTERNAL("column %d must be a double vector of length %d", j + 1, n);
    a[j] = REAL(x);
  }
  const char *name = CHAR(STRING_ELT(name_sexp, 0));

  SEXP out = PROTECT(Rf_allocVector(INTSXP, n));
  int *v_out = INTEGER(out);
  for (int i = 0; i < n; i++) v_out[i] = NA_INTEGER;
  spreiding_error err;
  memset(&err, 0, sizeof err);
  int status = impl.classify(n, a, nargs, REAL(params_sexp),
                             (int)XLENGTH(params_sexp), v_out, impl.data, &err);
  if (status == SPREIDING_INTERRUPTED)
    spr_error(NULL, 0, "Classifier `%s()` was interrupted by the user.", name);
  if (status != SPREIDING_OK) {
    err.message[SPREIDING_MESSAGE_SIZE - 1] = '\0';
    const char *argname = err.arg >= 1 && err.arg <= nargs
                              ? CHAR(STRING_ELT(argnames_sexp, err.arg - 1))
                              : "...";
    int row = err.row >= 1 && err.row <= n ? err.row : 0;
    /* Name the row unless the kernel's message already does. */
    char where[64] = "", mention[32];
    snprintf(mention, sizeof mention, "row %d", row);
    const char *at = strstr(err.message, mention);
    int mentioned = at != NULL && !(at[strlen(mention)] >= '0' &&
                                    at[strlen(mention)] <= '9');
    if (row > 0 && !mentioned) snprintf(where, sizeof where, " (%s)", mention);
    spr_error(argname, row, "Classifier `%s()` failed: %s%s.", name,
              err.message[0] ? err.message : "no message given", where);
  }
  for (int i = 0; i < n; i++) {
    int c = v_out[i];
    if (c != NA_INTEGER && (c < 1 || c > nlevels))
      spr_error("...", i + 1, "Classifier `%s()` gave row %d the class %d; "
                "expected a class from 1 to %d, or NA.", name, i + 1, c,
                nlevels);
  }
  UNPROTECT(1);
  return out;
}

/* ---- registration ------------------------------------------------------------- */

static void add(const char *name, const char *description, int nargs,
                const char *const *args, int nparams,
                const char *const *params, const double *defaults,
                int nlevels, const char *const *levels,
                spreiding_classify_fn fn) {
  spreiding_classifier def = {SPREIDING_API_VERSION, name, description,
                              "spreiding", nargs, args, nparams, params,
                              defaults, nlevels, levels, fn, NULL};
  spreiding_error err;
  memset(&err, 0, sizeof err);
  if (spr_register_classifier(&def, 0, &err) != SPREIDING_OK)
    SPR_INTERNAL("cannot register built-in '%s': %s", name, err.message);
}

void spr_register_builtin_classifiers(void) {
  static const char *const q_args[] = {"x", "y", "weights"};
  static const char *const q_params[] = {"x_rule", "x_cut", "y_rule", "y_cut"};
  static const char *const q_levels[] = {
      "favourable", "mixed: popular, high outflow",
      "mixed: unpopular, low outflow", "unfavourable"};
  static const char *const t_args[] = {"x", "high_need"};
  static const char *const t_params[] = {"k", "right", "high_need_right"};
  static const char *const t_levels[] = {"low", "high"};
  static const char *const c_args[] = {"actual", "target", "age_factor"};
  static const char *const c_params[] = {"lower", "upper"};
  static const double c_defaults[] = {0.75, 1.10};
  static const char *const c_levels[] = {"undersupplied", "regular",
                                         "oversupplied"};
  double q_defaults[4] = {RULE_MEAN, NA_REAL, RULE_MEAN, NA_REAL};
  double t_defaults[3] = {NA_REAL, 1, 1};
  add("quadrant",
      "Labour-market position: popularity x against outflow y, each cut at "
      "its mean, median, weighted mean or a number",
      3, q_args, 4, q_params, q_defaults, 4, q_levels, k_quadrant);
  add("thresholds",
      "Classes of x between increasing cuts, e.g. HPSA-like inhabitants per "
      "GP FTE, with other cuts where high_need",
      2, t_args, 3, t_params, t_defaults, 2, t_levels, k_thresholds);
  add("coverage_bands",
      "Coverage ratio actual / (target * age_factor) in bands, e.g. "
      "Bedarfsplanung: under 75%, regular, over 110%",
      3, c_args, 2, c_params, c_defaults, 3, c_levels, k_coverage_bands);
}
