/*
 * statistics.c -- the built-in statistics of region_table(), as kernels.
 *
 * Each statistic is a plain C function with the plugin signature of
 * inst/include/spreiding.h (collapse's split of a kernel on raw arrays from
 * the wrapper that validates), registered at load time through the same
 * path a plugin uses. Reducing kernels make one pass over the rows with the
 * group id of each row (the grouping is shared, see table.c); deriving
 * kernels combine group-level columns.
 *
 * Semantics shared by all reducing kernels: missing values are skipped;
 * weights are case (frequency) weights, so a weighted count is the sum of
 * the weights; a group with no (non-missing) rows gets count 0 and sum 0,
 * and NA for every mean, rate, minimum or maximum. Integer and logical
 * columns are summed in 64-bit integers, so sums are exact. Rates check
 * that the column holds 0/1 (or FALSE/TRUE) and name the first row that
 * does not. The Wilson score interval follows Wilson (1927), J. Am. Stat.
 * Assoc. 22:209-212, with n the (weighted) number of non-missing rows.
 * The respondent statistics (n_respondents, pct_respondents) count
 * distinct identifiers instead of rows, for multi-answer survey questions
 * in long form; their denominators are described at respondents().
 *
 * Unlike plugin kernels, these are part of the engine, so they may use
 * R_alloc() for scratch and R_CheckUserInterrupt() between chunks: when
 * either jumps, nothing but R's own memory is open.
 */
#include "statistics.h"

#include <Rmath.h>
#include <stdio.h>

#include "registry.h"

/* Loop over the rows in chunks, checking for interrupts between chunks. */
#define FOR_ROWS(n, body)                                             \
  for (int start_ = 0; start_ < (n); start_ += SPR_CHUNK) {           \
    int end_ = (n) - start_ > SPR_CHUNK ? start_ + SPR_CHUNK : (n);   \
    for (int i = start_; i < end_; i++) {                             \
      body                                                            \
    }                                                                 \
    R_CheckUserInterrupt();                                           \
  }

static void fill(double *x, int n, double v) {
  for (int i = 0; i < n; i++) x[i] = v;
}

/* Σ x (and the number of non-missing rows) per group, weighted or not. */
static void sums(const spreiding_groups *p_grp, const spreiding_column *col,
                 const double *w, double *sum, double *nobs) {
  int n = p_grp->n, ng = p_grp->ng;
  const int *v_group = p_grp->group;
  fill(sum, ng, 0);
  if (nobs != NULL) fill(nobs, ng, 0);
  if (col->type == SPREIDING_INTEGER) {
    const int *x = (const int *)col->data;
    if (w == NULL) {
      int64_t *acc = (int64_t *)R_alloc((size_t)ng + 1, sizeof(int64_t));
      memset(acc, 0, ((size_t)ng + 1) * sizeof(int64_t));
      if (nobs == NULL) {
        FOR_ROWS(n, if (x[i] != NA_INTEGER) acc[v_group[i] - 1] += x[i];)
      } else {
        FOR_ROWS(n, if (x[i] != NA_INTEGER) {
          acc[v_group[i] - 1] += x[i];
          nobs[v_group[i] - 1] += 1;
        })
      }
      for (int g = 0; g < ng; g++) sum[g] = (double)acc[g];
    } else {
      FOR_ROWS(n, if (x[i] != NA_INTEGER) {
        int g = v_group[i] - 1;
        sum[g] += w[i] * x[i];
        if (nobs != NULL) nobs[g] += w[i];
      })
    }
  } else {
    const double *x = (const double *)col->data;
    if (w == NULL) {
      if (nobs == NULL) {
        FOR_ROWS(n, if (!ISNAN(x[i])) sum[v_group[i] - 1] += x[i];)
      } else {
        FOR_ROWS(n, if (!ISNAN(x[i])) {
          sum[v_group[i] - 1] += x[i];
          nobs[v_group[i] - 1] += 1;
        })
      }
    } else {
      FOR_ROWS(n, if (!ISNAN(x[i])) {
        int g = v_group[i] - 1;
        sum[g] += w[i] * x[i];
        if (nobs != NULL) nobs[g] += w[i];
      })
    }
  }
}

static int k_count(const spreiding_groups *p_grp, const spreiding_column *args,
                   int nargs, const double *w, const double *params,
                   int nparams, double *const *out, int nout, void *data,
                   spreiding_error *err) {
  int ng = p_grp->ng;
  if (w == NULL) {
    for (int g = 0; g < ng; g++) out[0][g] = p_grp->size[g];
  } else {
    const int *v_group = p_grp->group;
    double *o = out[0];
    fill(o, ng, 0);
    FOR_ROWS(p_grp->n, o[v_group[i] - 1] += w[i];)
  }
  return SPREIDING_OK;
}

static int k_sum(const spreiding_groups *p_grp, const spreiding_column *args,
                 int nargs, const double *w, const double *params, int nparams,
                 double *const *out, int nout, void *data,
                 spreiding_error *err) {
  sums(p_grp, &args[0], w, out[0], NULL);
  return SPREIDING_OK;
}

static int k_mean(const spreiding_groups *p_grp, const spreiding_column *args,
                  int nargs, const double *w, const double *params, int nparams,
                  double *const *out, int nout, void *data,
                  spreiding_error *err) {
  int ng = p_grp->ng;
  double *nobs = (double *)R_alloc((size_t)ng + 1, sizeof(double));
  sums(p_grp, &args[0], w, out[0], nobs);
  for (int g = 0; g < ng; g++) out[0][g] = nobs[g] > 0 ? out[0][g] / nobs[g] : NA_REAL;
  return SPREIDING_OK;
}

/* min (sign = 1) or max (sign = -1) of the non-missing values, rows with
 * weight 0 left out. */
static void extreme(const spreiding_groups *p_grp, const spreiding_column *col,
                    const double *w, double *o, int sign) {
  int ng = p_grp->ng;
  const int *v_group = p_grp->group;
  fill(o, ng, NA_REAL);
  if (col->type == SPREIDING_INTEGER) {
    const int *x = (const int *)col->data;
    FOR_ROWS(p_grp->n, if (x[i] != NA_INTEGER && (w == NULL || w[i] > 0)) {
      int g = v_group[i] - 1;
      double v = x[i];
      if (ISNAN(o[g]) || sign * v < sign * o[g]) o[g] = v;
    })
  } else {
    const double *x = (const double *)col->data;
    FOR_ROWS(p_grp->n, if (!ISNAN(x[i]) && (w == NULL || w[i] > 0)) {
      int g = v_group[i] - 1;
      if (ISNAN(o[g]) || sign * x[i] < sign * o[g]) o[g] = x[i];
    })
  }
}

static int k_min(const spreiding_groups *p_grp, const spreiding_column *args,
                 int nargs, const double *w, const double *params, int nparams,
                 double *const *out, int nout, void *data,
                 spreiding_error *err) {
  extreme(p_grp, &args[0], w, out[0], 1);
  return SPREIDING_OK;
}

static int k_max(const spreiding_groups *p_grp, const spreiding_column *args,
                 int nargs, const double *w, const double *params, int nparams,
                 double *const *out, int nout, void *data,
                 spreiding_error *err) {
  extreme(p_grp, &args[0], w, out[0], -1);
  return SPREIDING_OK;
}

/* Successes and (weighted) trials per group of a 0/1 column, in one pass
 * that also checks the values. Returns SPREIDING_ERROR naming the first row
 * that is not 0/1. */
#define SUCCESS_LOOP(TYPE, IS_NA, FMT)                                       \
  {                                                                          \
    const TYPE *x = (const TYPE *)col->data;                                 \
    int bad = -1;                                                            \
    for (int start = 0; start < n && bad < 0; start += SPR_CHUNK) {          \
      int end = n - start > SPR_CHUNK ? start + SPR_CHUNK : n;               \
      for (int i = start; i < end; i++) {                                    \
        if (IS_NA(x[i])) continue;                                           \
        if (x[i] != 0 && x[i] != 1) {                                        \
          bad = i;                                                           \
          break;                                                             \
        }                                                                    \
        int g = v_group[i] - 1;                                              \
        double wi = w == NULL ? 1 : w[i];                                    \
        s[g] += wi * x[i];                                                   \
        nobs[g] += wi;                                                       \
      }                                                                      \
      R_CheckUserInterrupt();                                                \
    }                                                                        \
    if (bad >= 0) {                                                          \
      snprintf(err->message, sizeof err->message,                            \
               "`%s` must be logical or 0/1, but row %d is " FMT, col->name, \
               bad + 1, x[bad]);                                             \
      err->row = bad + 1;                                                    \
      err->arg = 1;                                                          \
      return SPREIDING_ERROR;                                                \
    }                                                                        \
  }

#define INT_NA(v) ((v) == NA_INTEGER)

static int successes(const spreiding_groups *p_grp, const spreiding_column *col,
                     const double *w, double *s, double *nobs,
                     spreiding_error *err) {
  int n = p_grp->n, ng = p_grp->ng;
  const int *v_group = p_grp->group;
  fill(s, ng, 0);
  fill(nobs, ng, 0);
  if (col->type == SPREIDING_INTEGER)
    SUCCESS_LOOP(int, INT_NA, "%d")
  else
    SUCCESS_LOOP(double, ISNAN, "%g")
  return SPREIDING_OK;
}

static int rate_scaled(const spreiding_groups *p_grp,
                       const spreiding_column *args, const double *w,
                       double *o, double scale, spreiding_error *err) {
  int ng = p_grp->ng;
  double *nobs = (double *)R_alloc((size_t)ng + 1, sizeof(double));
  if (successes(p_grp, &args[0], w, o, nobs, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  for (int g = 0; g < ng; g++) o[g] = nobs[g] > 0 ? scale * o[g] / nobs[g] : NA_REAL;
  return SPREIDING_OK;
}

static int k_rate(const spreiding_groups *p_grp, const spreiding_column *args,
                  int nargs, const double *w, const double *params, int nparams,
                  double *const *out, int nout, void *data,
                  spreiding_error *err) {
  return rate_scaled(p_grp, args, w, out[0], 100, err);
}

static int k_prop(const spreiding_groups *p_grp, const spreiding_column *args,
                  int nargs, const double *w, const double *params, int nparams,
                  double *const *out, int nout, void *data,
                  spreiding_error *err) {
  return rate_scaled(p_grp, args, w, out[0], 1, err);
}

static int k_rate_ci(const spreiding_groups *p_grp, const spreiding_column *args,
                     int nargs, const double *w, const double *params,
                     int nparams, double *const *out, int nout, void *data,
                     spreiding_error *err) {
  double level = params[0];
  if (!(level > 0 && level < 1)) {
    snprintf(err->message, sizeof err->message,
             "`level` must be a number between 0 and 1, not %g", level);
    return SPREIDING_ERROR;
  }
  int ng = p_grp->ng;
  double *s = (double *)R_alloc((size_t)ng + 1, sizeof(double));
  double *nobs = (double *)R_alloc((size_t)ng + 1, sizeof(double));
  if (successes(p_grp, &args[0], w, s, nobs, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  double z = qnorm(1 - (1 - level) / 2, 0, 1, 1, 0), z2 = z * z;
  for (int g = 0; g < ng; g++) {
    double n = nobs[g];
    if (!(n > 0)) {
      out[0][g] = out[1][g] = NA_REAL;
      continue;
    }
    double phat = s[g] / n, denom = 1 + z2 / n;
    double centre = (phat + z2 / (2 * n)) / denom;
    double half = z / denom * sqrt(phat * (1 - phat) / n + z2 / (4 * n * n));
    out[0][g] = 100 * fmax2(0, centre - half);
    out[1][g] = 100 * fmin2(1, centre + half);
  }
  return SPREIDING_OK;
}

/* ---- respondents ----------------------------------------------------------- */

/* Distinct respondents per group, for multi-answer questions in long form
 * (one row per respondent and answer, see expand_answers()). The column
 * holds respondent identifiers, coded 1..m by the engine (the statistics
 * are registered with SPREIDING_KEY_ARGS); rows with a missing id are left
 * out. A respondent counts once in a group however many of its rows fall
 * there, and with weights counts its weight, which must then be the same on
 * all its rows (a respondent's design weight): the first row that differs
 * is an error. With `pct`, the count is a percentage of all respondents of
 * the data, every group included (the group of respondents without an
 * answer, NA, too), so the groups of a multi-answer question sum to more
 * than 100. Two passes over the rows: the respondents and their weights,
 * then each group's rows in group order, marking a respondent with the
 * group it was last counted in (so no per-group clearing). */
static int respondents(const spreiding_groups *p_grp, const spreiding_column *col,
                       const double *w, double *o, int pct,
                       spreiding_error *err) {
  int n = p_grp->n, ng = p_grp->ng;
  if (col->type != SPREIDING_INTEGER || p_grp->order == NULL) {
    snprintf(err->message, sizeof err->message,
             "internal error: `%s` arrived without respondent codes or group "
             "order; please report", col->name);
    return SPREIDING_ERROR;
  }
  const int *x = (const int *)col->data;
  int m = 0;
  for (int i = 0; i < n; i++) {
    if (x[i] == NA_INTEGER) continue;
    if (x[i] < 1) {
      snprintf(err->message, sizeof err->message,
               "internal error: respondent code %d below 1; please report",
               x[i]);
      return SPREIDING_ERROR;
    }
    if (x[i] > m) m = x[i];
  }
  int *mark = (int *)R_alloc((size_t)m + 1, sizeof(int));
  double *weight = (double *)R_alloc((size_t)m + 1, sizeof(double));
  memset(mark, 0, ((size_t)m + 1) * sizeof(int));
  double total = 0;
  for (int start = 0; start < n; start += SPR_CHUNK) {
    int end = n - start > SPR_CHUNK ? start + SPR_CHUNK : n;
    for (int i = start; i < end; i++) {
      int c = x[i];
      if (c == NA_INTEGER) continue;
      double wi = w == NULL ? 1 : w[i];
      if (mark[c] == 0) {
        mark[c] = i + 1;
        weight[c] = wi;
        total += wi;
      } else if (weight[c] != wi) {
        snprintf(err->message, sizeof err->message,
                 "`.weights` must be the same on every row of a respondent "
                 "(each counts once), but row %d has %g and row %d, of the "
                 "same `%s`, has %g",
                 i + 1, wi, mark[c], col->name, weight[c]);
        err->row = i + 1;
        err->arg = 1;
        return SPREIDING_ERROR;
      }
    }
    R_CheckUserInterrupt();
  }
  memset(mark, 0, ((size_t)m + 1) * sizeof(int));
  const int *v_order = p_grp->order, *v_start = p_grp->start;
  int done = 0;
  for (int g = 0; g < ng; g++) {
    double acc = 0;
    int from = v_start[g], to = v_start[g] + p_grp->size[g];
    for (int r = from; r < to; r++) {
      int c = x[v_order[r]];
      if (c == NA_INTEGER || mark[c] == g + 1) continue;
      mark[c] = g + 1;
      acc += weight[c];
    }
    o[g] = !pct ? acc : total > 0 ? 100 * acc / total : NA_REAL;
    done += to - from;
    if (done >= SPR_CHUNK) {
      done = 0;
      R_CheckUserInterrupt();
    }
  }
  return SPREIDING_OK;
}

static int k_n_respondents(const spreiding_groups *p_grp,
                           const spreiding_column *args, int nargs,
                           const double *w, const double *params, int nparams,
                           double *const *out, int nout, void *data,
                           spreiding_error *err) {
  return respondents(p_grp, &args[0], w, out[0], 0, err);
}

static int k_pct_respondents(const spreiding_groups *p_grp,
                             const spreiding_column *args, int nargs,
                             const double *w, const double *params,
                             int nparams, double *const *out, int nout,
                             void *data, spreiding_error *err) {
  return respondents(p_grp, &args[0], w, out[0], 1, err);
}

/* ---- deriving ----------------------------------------------------------------- */

static double total(const double *x, int ng) {
  double t = 0;
  for (int g = 0; g < ng; g++)
    if (!ISNAN(x[g])) t += x[g];
  return t;
}

static double quotient(double a, double b) {
  return ISNAN(a) || ISNAN(b) || b == 0 ? NA_REAL : a / b;
}

static int k_ratio(int ng, const double *const *args, int nargs,
                   const double *params, int nparams, double *const *out,
                   int nout, void *data, spreiding_error *err) {
  double scale = params[0];
  for (int g = 0; g < ng; g++) out[0][g] = quotient(args[0][g], args[1][g]) * scale;
  return SPREIDING_OK;
}

static int k_pct(int ng, const double *const *args, int nargs,
                 const double *params, int nparams, double *const *out,
                 int nout, void *data, spreiding_error *err) {
  for (int g = 0; g < ng; g++) out[0][g] = 100 * quotient(args[0][g], args[1][g]);
  return SPREIDING_OK;
}

static int k_diff(int ng, const double *const *args, int nargs,
                  const double *params, int nparams, double *const *out,
                  int nout, void *data, spreiding_error *err) {
  for (int g = 0; g < ng; g++) out[0][g] = args[0][g] - args[1][g];
  return SPREIDING_OK;
}

static int k_share(int ng, const double *const *args, int nargs,
                   const double *params, int nparams, double *const *out,
                   int nout, void *data, spreiding_error *err) {
  double t = total(args[0], ng);
  for (int g = 0; g < ng; g++) out[0][g] = 100 * quotient(args[0][g], t);
  return SPREIDING_OK;
}

static int k_share_ratio(int ng, const double *const *args, int nargs,
                         const double *params, int nparams, double *const *out,
                         int nout, void *data, spreiding_error *err) {
  double ta = total(args[0], ng), tb = total(args[1], ng);
  for (int g = 0; g < ng; g++)
    out[0][g] = quotient(quotient(args[0][g], ta), quotient(args[1][g], tb));
  return SPREIDING_OK;
}

/* ---- registration ------------------------------------------------------------- */

static void add(const char *name, int kind, int nargs, const char *const *args,
                int nparams, const char *const *params, const double *defaults,
                int nout, const char *const *suffixes, unsigned flags,
                spreiding_reduce_fn reduce, spreiding_derive_fn derive,
                const char *description) {
  spreiding_statistic def = {SPREIDING_API_VERSION, name, description,
                             "spreiding", kind, nargs, args, nparams, params,
                             defaults, nout, suffixes, flags, reduce, derive,
                             NULL};
  spreiding_error err;
  if (spr_register_statistic(&def, 0, &err) != SPREIDING_OK)
    SPR_INTERNAL("cannot register built-in '%s': %s", name, err.message);
}

void spr_register_builtin_statistics(void) {
  static const char *const x[] = {"x"};
  static const char *const ab[] = {"a", "b"};
  static const char *const level[] = {"level"};
  static const double level_default[] = {0.95};
  static const char *const scale[] = {"scale"};
  static const double scale_default[] = {1};
  static const char *const lohi[] = {"_lo", "_hi"};
  const int R = SPREIDING_REDUCING, D = SPREIDING_DERIVING;
  const unsigned I = SPREIDING_INTEGER_RESULT;
  static const char *const id[] = {"id"};
  const unsigned K = SPREIDING_KEY_ARGS | SPREIDING_NEEDS_ORDER;
  add("count", R, 0, NULL, 0, NULL, NULL, 1, NULL, I, k_count, NULL,
      "Number of rows (sum of the weights when weighted)");
  add("sum", R, 1, x, 0, NULL, NULL, 1, NULL, I, k_sum, NULL,
      "Sum of x, missing values skipped; 0 for an empty group");
  add("mean", R, 1, x, 0, NULL, NULL, 1, NULL, 0u, k_mean, NULL,
      "Mean of x, missing values skipped");
  add("min", R, 1, x, 0, NULL, NULL, 1, NULL, I, k_min, NULL,
      "Smallest value of x, missing values skipped");
  add("max", R, 1, x, 0, NULL, NULL, 1, NULL, I, k_max, NULL,
      "Largest value of x, missing values skipped");
  add("rate", R, 1, x, 0, NULL, NULL, 1, NULL, 0u, k_rate, NULL,
      "Percentage of TRUE (or 1) among the non-missing values of x");
  add("prop", R, 1, x, 0, NULL, NULL, 1, NULL, 0u, k_prop, NULL,
      "Proportion of TRUE (or 1) among the non-missing values of x");
  add("rate_ci", R, 1, x, 1, level, level_default, 2, lohi, 0u, k_rate_ci,
      NULL, "Wilson score interval of rate(x), in percent (_lo, _hi)");
  add("n_respondents", R, 1, id, 0, NULL, NULL, 1, NULL, K | I,
      k_n_respondents, NULL,
      "Distinct respondents (id) in the group, each once (weights: per respondent)");
  add("pct_respondents", R, 1, id, 0, NULL, NULL, 1, NULL, K,
      k_pct_respondents, NULL,
      "Percentage of all respondents (distinct id in the data) found in the group");
  add("share", D, 1, x, 0, NULL, NULL, 1, NULL, 0u, NULL, k_share,
      "Group's percentage of the column total of x");
  add("ratio", D, 2, ab, 1, scale, scale_default, 1, NULL, 0u, NULL, k_ratio,
      "a / b * scale, e.g. inhabitants per student; NA where b is 0");
  add("pct", D, 2, ab, 0, NULL, NULL, 1, NULL, 0u, NULL, k_pct,
      "100 * a / b, a percentage from two counts; NA where b is 0");
  add("diff", D, 2, ab, 0, NULL, NULL, 1, NULL, 0u, NULL, k_diff,
      "a - b, e.g. women minus men");
  add("share_ratio", D, 2, ab, 0, NULL, NULL, 1, NULL, 0u, NULL, k_share_ratio,
      "Share of a over share of b (a / sum(a)) / (b / sum(b))");
}
