/*
 * spreiding.h -- the public C plugin API of the R package spreiding.
 *
 * Another package can add statistics, classifiers and disclosure rules to
 * spreiding's registries with plain C functions. This header is all it needs:
 *
 *   DESCRIPTION:  LinkingTo: spreiding
 *                 Imports: spreiding
 *   src/plugin.c:  #include <spreiding.h>
 *   R/zzz.R:      .onLoad <- function(libname, pkgname) {
 *                   requireNamespace("spreiding")
 *                   .Call(my_register_routine)   # calls spreiding_register_*()
 *                 }
 *
 * Every entry point below is a `static R_INLINE` shim that looks the real
 * function up once with R_GetCCallable("spreiding", ...) and caches it, so
 * the header may be included from any number of translation units. Call the
 * shims only after spreiding's namespace is loaded (hence requireNamespace()
 * in .onLoad, not in R_init_<pkg>).
 *
 * Contract for kernels:
 *   - A kernel never longjmps: it must not call Rf_error(), R_CheckUserInterrupt(),
 *     allocate R objects or evaluate R code. It reports a problem by filling
 *     `err` and returning SPREIDING_ERROR; the engine then raises a classed R
 *     error (`spreiding_error`) whose message names the statistic, and whose
 *     fields are `arg` (the user's column name for argument err->arg) and
 *     `row` (err->row for reducing kernels; deriving kernels' group numbers
 *     are put in the message instead, and `row` is NA).
 *   - Long kernels call spreiding_check_interrupt() every few thousand rows
 *     and return SPREIDING_INTERRUPTED when it says so; the engine then
 *     raises a `spreiding_error` saying the statistic was interrupted.
 *   - The shims below look the engine's function up with R_GetCCallable() on
 *     their first call, which may raise an R error. Call each shim a kernel
 *     uses (in practice spreiding_check_interrupt()) once from your
 *     registration routine, in R's context, so the kernel never makes the
 *     first call.
 *   - Scratch memory is the kernel's own business (malloc/free is fine, since
 *     nothing can jump out of a kernel), and must be freed before it returns.
 *   - Output buffers are owned by the engine; the kernel fills all of them.
 *   - Function pointers and `data` must stay valid while they are registered:
 *     unregister in your package's .onUnload().
 *
 * Versioning: every definition struct starts with `api_version`, which must
 * be SPREIDING_API_VERSION of the header the plugin was compiled against.
 * The engine rejects definitions with a version it does not know, and
 * spreiding_api_version() returns the version of the installed engine.
 */
#ifndef SPREIDING_PUBLIC_H
#define SPREIDING_PUBLIC_H

#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPREIDING_API_VERSION 2

/* Return codes of kernels and registration functions. */
#define SPREIDING_OK 0
#define SPREIDING_ERROR 1
#define SPREIDING_INTERRUPTED 2

/* Kinds of statistic. */
#define SPREIDING_REDUCING 1 /* rows of a group -> one value (or nout) per group */
#define SPREIDING_DERIVING 2 /* earlier group-level columns -> new columns      */

/* Flags of a statistic (bitwise or). */
#define SPREIDING_NEEDS_ORDER 1u /* fill groups->order and groups->start      */
#define SPREIDING_INTEGER_RESULT 2u /* result is integer when unweighted and all
                                       arguments are integer/logical           */
#define SPREIDING_KEY_ARGS 4u /* column arguments are identifiers: the engine
                                 accepts any atomic column (character too) and
                                 hands it over as SPREIDING_INTEGER codes
                                 1..m, equal codes for equal values, in order
                                 of first appearance; NA_INTEGER if missing */

/* Types of a data column handed to a reducing kernel. */
#define SPREIDING_INTEGER 1 /* const int *: integer, logical or factor codes;
                               missing is NA_INTEGER                          */
#define SPREIDING_DOUBLE 2  /* const double *: missing is NA_REAL/NaN (ISNAN) */

/* Length of the message buffer in spreiding_error. */
#define SPREIDING_MESSAGE_SIZE 512

/* A problem reported by a kernel. The engine zeroes it before each call. */
typedef struct {
  char message[SPREIDING_MESSAGE_SIZE]; /* what went wrong, for the user     */
  int row;                              /* 1-based offending row (or group   */
                                        /* for deriving kernels); 0 if none  */
  int arg;                              /* 1-based offending argument; 0 none */
} spreiding_error;

/* The grouping of the rows, computed once per region_table() call and shared
 * by every kernel. Groups are numbered 1..ng in output-row order. */
typedef struct {
  int n;             /* number of rows                                      */
  int ng;            /* number of groups (output rows, empty ones included)  */
  const int *group;  /* length n: group (1..ng) of each row                 */
  const int *size;   /* length ng: rows in each group                       */
  const int *order;  /* length n or NULL: 0-based rows, stably sorted by    */
                     /* group; only with SPREIDING_NEEDS_ORDER               */
  const int *start;  /* length ng or NULL: 0-based offset in `order` of each */
                     /* group's first row; only with SPREIDING_NEEDS_ORDER   */
} spreiding_groups;

/* One data column handed to a reducing kernel, `groups->n` long. */
typedef struct {
  int type;          /* SPREIDING_INTEGER or SPREIDING_DOUBLE               */
  const void *data;  /* const int * or const double *, never a copy         */
  const char *name;  /* the column's name in the user's data                */
} spreiding_column;

/* Value of row i of a column as a double (NA_REAL when missing). */
static R_INLINE double spreiding_column_value(const spreiding_column *col,
                                             int i) {
  if (col->type == SPREIDING_INTEGER) {
    int v = ((const int *)col->data)[i];
    return v == NA_INTEGER ? NA_REAL : (double)v;
  }
  return ((const double *)col->data)[i];
}

/* Reducing kernel: fill out[k][g] (k < nout, g < groups->ng) from the rows
 * of each group. `weights` is NULL (unweighted) or n non-negative finite
 * case weights. `params` are the statistic's parameters, in declaration
 * order, defaults filled in. Groups with no rows must get a value too. */
typedef int (*spreiding_reduce_fn)(const spreiding_groups *groups,
                                   const spreiding_column *args, int nargs,
                                   const double *weights,
                                   const double *params, int nparams,
                                   double *const *out, int nout, void *data,
                                   spreiding_error *err);

/* Deriving kernel: fill out[k][g] from the group-level columns args[j][g]
 * (all double, NA_REAL when missing). Report NA, never Inf or NaN, where a
 * value is undefined (such as a zero denominator). */
typedef int (*spreiding_derive_fn)(int ng, const double *const *args,
                                   int nargs, const double *params,
                                   int nparams, double *const *out, int nout,
                                   void *data, spreiding_error *err);

/* A statistic. Registration copies the strings and arrays (names,
 * defaults, suffixes); only the function pointers and `data` must stay
 * valid while the entry is registered. */
typedef struct {
  int api_version;               /* SPREIDING_API_VERSION                   */
  const char *name;              /* name used in region_table() calls       */
  const char *description;       /* one line, shown by statistics()         */
  const char *provider;          /* your package's name                     */
  int kind;                      /* SPREIDING_REDUCING or _DERIVING         */
  int nargs;                     /* number of column arguments (>= 0)       */
  const char *const *arg_names;  /* their names, e.g. {"x"} or {"a", "b"}   */
  int nparams;                   /* number of numeric parameters (>= 0)     */
  const char *const *param_names;    /* e.g. {"level"}                      */
  const double *param_defaults;      /* NA_REAL: the user must give it;     */
                                     /* NULL: all NA_REAL                    */
  int nout;                      /* number of result columns (>= 1)         */
  const char *const *out_suffixes;   /* nout suffixes appended to the user's */
                                     /* name, e.g. {"_lo", "_hi"}; NULL when */
                                     /* nout == 1                            */
  unsigned flags;                /* SPREIDING_NEEDS_ORDER, _INTEGER_RESULT  */
  spreiding_reduce_fn reduce;    /* set for SPREIDING_REDUCING              */
  spreiding_derive_fn derive;    /* set for SPREIDING_DERIVING              */
  void *data;                    /* handed back to the kernel untouched     */
} spreiding_statistic;

/* Classifier kernel: assign each of n regions a class code 1..nlevels (or
 * NA_INTEGER) from region-level columns args[j][i]. */
typedef int (*spreiding_classify_fn)(int n, const double *const *args,
                                     int nargs, const double *params,
                                     int nparams, int *out, void *data,
                                     spreiding_error *err);

typedef struct {
  int api_version;
  const char *name;
  const char *description;
  const char *provider;
  int nargs;
  const char *const *arg_names;
  int nparams;
  const char *const *param_names;
  const double *param_defaults;
  int nlevels;                   /* number of classes (>= 1)                */
  const char *const *levels;     /* their labels, in order                  */
  spreiding_classify_fn classify;
  void *data;
} spreiding_classifier;

/* Primary disclosure rule, applied by disclose() to every cell of a table
 * (the cells given and the totals computed from them). cols[0][i] is the
 * count (or magnitude) of cell i that the rule judges; cols[1..ncols-1] are
 * the further column arguments the rule declares (arg_names[1..]), such as
 * the sum of the largest contributions for a dominance rule, named by the
 * user in the rule call. Values are never missing. Set status[i] to 1 for
 * every cell the rule suppresses and leave the others alone (they arrive as
 * 0, or 1 when an earlier rule suppressed them). Secondary (complementary)
 * suppression is the engine's; its audit assumes an attacker knows no more
 * of a cell a plugin rule suppressed than that it is a count >= 0. Since API
 * version 2. */
typedef int (*spreiding_disclose_fn)(int n, const double *const *cols,
                                     int ncols, const double *params,
                                     int nparams, int *status, void *data,
                                     spreiding_error *err);

typedef struct {
  int api_version;
  const char *name;
  const char *description;
  const char *provider;
  int nargs;                     /* column arguments (>= 1): the count first */
  const char *const *arg_names;  /* e.g. {"x"} or {"x", "top"}               */
  int nparams;
  const char *const *param_names;
  const double *param_defaults;
  spreiding_disclose_fn disclose;
  void *data;
} spreiding_disclosure_rule;

/* ---- Entry points ------------------------------------------------------ */

/* The API version of the installed engine. Compare with
 * SPREIDING_API_VERSION before registering anything. */
static R_INLINE int spreiding_api_version(void) {
  static int (*fn)(void) = NULL;
  if (fn == NULL)
    fn = (int (*)(void))(void (*)(void))R_GetCCallable(
        "spreiding", "spreiding_api_version");
  return fn();
}

/* Register a statistic. replace != 0 overwrites an entry of the same name
 * that is not built in. Returns SPREIDING_OK, or SPREIDING_ERROR with
 * err->message filled (bad definition, name taken, version mismatch).
 * The registration functions allocate R objects: call them from R's context
 * (a .Call routine, typically run from .onLoad), never from a kernel; like
 * any R allocation they can raise an R error when memory runs out. */
static R_INLINE int spreiding_register_statistic(const spreiding_statistic *def,
                                                 int replace,
                                                 spreiding_error *err) {
  static int (*fn)(const spreiding_statistic *, int, spreiding_error *) = NULL;
  if (fn == NULL)
    fn = (int (*)(const spreiding_statistic *, int, spreiding_error *))(void (*)(void))
        R_GetCCallable("spreiding", "spreiding_register_statistic");
  return fn(def, replace, err);
}

/* Register a classifier; as spreiding_register_statistic(). */
static R_INLINE int spreiding_register_classifier(
    const spreiding_classifier *def, int replace, spreiding_error *err) {
  static int (*fn)(const spreiding_classifier *, int, spreiding_error *) = NULL;
  if (fn == NULL)
    fn = (int (*)(const spreiding_classifier *, int, spreiding_error *))(void (*)(void))
        R_GetCCallable("spreiding", "spreiding_register_classifier");
  return fn(def, replace, err);
}

/* Register a primary disclosure rule; as spreiding_register_statistic(). */
static R_INLINE int spreiding_register_disclosure_rule(
    const spreiding_disclosure_rule *def, int replace, spreiding_error *err) {
  static int (*fn)(const spreiding_disclosure_rule *, int, spreiding_error *) =
      NULL;
  if (fn == NULL)
    fn = (int (*)(const spreiding_disclosure_rule *, int, spreiding_error *))(void (*)(void))
        R_GetCCallable("spreiding", "spreiding_register_disclosure_rule");
  return fn(def, replace, err);
}

/* Remove an entry your package registered. `registry` is "statistics",
 * "classifiers" or "disclosure_rules"; `provider` must be the provider the
 * entry was registered with, so a package cannot remove another's entries.
 * Returns 1 if it was removed, 0 if there is no such entry, -1 for an
 * unknown registry, a built-in entry or another provider's entry. */
static R_INLINE int spreiding_unregister(const char *registry,
                                         const char *name,
                                         const char *provider) {
  static int (*fn)(const char *, const char *, const char *) = NULL;
  if (fn == NULL)
    fn = (int (*)(const char *, const char *, const char *))(void (*)(void))
        R_GetCCallable("spreiding", "spreiding_unregister");
  return fn(registry, name, provider);
}

/* 1 if the user has asked to interrupt, 0 otherwise. Safe to call from a
 * kernel (it does not jump); return SPREIDING_INTERRUPTED when it says 1. */
static R_INLINE int spreiding_check_interrupt(void) {
  static int (*fn)(void) = NULL;
  if (fn == NULL)
    fn = (int (*)(void))(void (*)(void))R_GetCCallable(
        "spreiding", "spreiding_check_interrupt");
  return fn();
}

#ifdef __cplusplus
}
#endif

#endif /* SPREIDING_PUBLIC_H */
