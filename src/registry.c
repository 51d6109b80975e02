/*
 * registry.c -- the plugin registries of the engine.
 *
 * Statistics, classifiers and disclosure rules are kept in three registries
 * with one implementation. A registry is an R list of entries; an entry is a
 * named R list (fields in registry.h) holding the name, kind, argument and
 * parameter names, parameter defaults, output suffixes, description,
 * provider, flags and the implementation: a raw vector with C function
 * pointers (built-ins and plugins from other packages, registered through
 * the C API in inst/include/spreiding.h) or an R closure (provider "R").
 * Keeping entries as R objects means the garbage collector owns everything:
 * the three lists hang off one vector protected with R_PreserveObject at
 * load time. Registries hold tens of entries, so lookups are linear scans and
 * an insertion copies the list; order is registration order.
 *
 * Rules: names are unique per registry; registering over a name is refused
 * unless `replace` is set, and built-in entries (provider "spreiding") can be
 * neither replaced nor removed, so region_table()'s meaning of sum() or
 * count() cannot change under a user.
 */
#include "registry.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

static SEXP registries = NULL; /* list of 3 lists of entries */

static const char *family_names[] = {"statistics", "classifiers",
                                     "disclosure_rules"};
static const char *entry_names[] = {
    "name",     "kind",        "arguments", "params", "defaults", "outputs",
    "description", "provider", "flags",     "impl",   "levels"};

void spr_registry_init(void) {
  if (registries != NULL) return;
  registries = Rf_allocVector(VECSXP, 3);
  R_PreserveObject(registries);
  for (int i = 0; i < 3; i++)
    SET_VECTOR_ELT(registries, i, Rf_allocVector(VECSXP, 0));
}

static int family_index(const char *family) {
  for (int i = 0; i < 3; i++)
    if (strcmp(family, family_names[i]) == 0) return i;
  return -1;
}

static int family_arg(SEXP family_sexp) {
  if (!Rf_isString(family_sexp) || XLENGTH(family_sexp) != 1)
    SPR_INTERNAL("`family` must be a string");
  int f = family_index(CHAR(STRING_ELT(family_sexp, 0)));
  if (f < 0) SPR_INTERNAL("unknown registry '%s'", CHAR(STRING_ELT(family_sexp, 0)));
  return f;
}

static const char *entry_string(SEXP entry, int field) {
  return CHAR(STRING_ELT(VECTOR_ELT(entry, field), 0));
}

static int find_entry(int family, const char *name) {
  SEXP list = VECTOR_ELT(registries, family);
  R_xlen_t n = XLENGTH(list);
  for (R_xlen_t i = 0; i < n; i++)
    if (strcmp(entry_string(VECTOR_ELT(list, i), SPR_E_NAME), name) == 0)
      return (int)i;
  return -1;
}

static int set_err(spreiding_error *err, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->row = 0;
    err->arg = 0;
  }
  return SPREIDING_ERROR;
}

/* A registrable name: starts with a letter, then letters, digits, '.', '_'. */
static int valid_name(const char *name) {
  if (name == NULL || !isalpha((unsigned char)name[0])) return 0;
  for (const char *p = name; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.') return 0;
  return strlen(name) <= 64;
}

/* Insert or replace; `entry` is a complete, validated entry. */
static int insert_entry(int family, SEXP entry, int replace,
                        spreiding_error *err) {
  const char *name = entry_string(entry, SPR_E_NAME);
  SEXP list = VECTOR_ELT(registries, family);
  int at = find_entry(family, name);
  if (at >= 0) {
    const char *prov = entry_string(VECTOR_ELT(list, at), SPR_E_PROVIDER);
    if (strcmp(prov, "spreiding") == 0)
      return set_err(err, "'%s' is a built-in entry of the %s registry and "
                     "cannot be replaced; choose another name", name,
                     family_names[family]);
    if (!replace)
      return set_err(err, "'%s' is already registered in the %s registry "
                     "(by %s); use replace = TRUE to overwrite it", name,
                     family_names[family], prov);
    SET_VECTOR_ELT(list, at, entry);
    return SPREIDING_OK;
  }
  R_xlen_t n = XLENGTH(list);
  PROTECT(entry);
  SEXP grown = PROTECT(Rf_allocVector(VECSXP, n + 1));
  for (R_xlen_t i = 0; i < n; i++) SET_VECTOR_ELT(grown, i, VECTOR_ELT(list, i));
  SET_VECTOR_ELT(grown, n, entry);
  SET_VECTOR_ELT(registries, family, grown);
  UNPROTECT(2);
  return SPREIDING_OK;
}

static SEXP strings(int n, const char *const *s) {
  SEXP out = PROTECT(Rf_allocVector(STRSXP, n));
  for (int i = 0; i < n; i++)
    SET_STRING_ELT(out, i, Rf_mkCharCE(s[i] == NULL ? "" : s[i], CE_UTF8));
  UNPROTECT(1);
  return out;
}

static SEXP new_entry(const char *name, const char *kind, int nargs,
                      const char *const *args, int nparams,
                      const char *const *params, const double *defaults,
                      int nout, const char *const *suffixes,
                      const char *description, const char *provider,
                      unsigned flags, const spr_impl *impl, int nlevels,
                      const char *const *levels) {
  SEXP e = PROTECT(Rf_allocVector(VECSXP, SPR_E_NFIELDS));
  SET_VECTOR_ELT(e, SPR_E_NAME, Rf_mkString(name));
  SET_VECTOR_ELT(e, SPR_E_KIND, Rf_mkString(kind));
  SET_VECTOR_ELT(e, SPR_E_ARGS, strings(nargs, args));
  SET_VECTOR_ELT(e, SPR_E_PARAMS, strings(nparams, params));
  SEXP def = Rf_allocVector(REALSXP, nparams);
  SET_VECTOR_ELT(e, SPR_E_DEFAULTS, def);
  for (int i = 0; i < nparams; i++)
    REAL(def)[i] = defaults == NULL ? NA_REAL : defaults[i];
  if (suffixes == NULL) {
    SEXP out = Rf_allocVector(STRSXP, nout);
    SET_VECTOR_ELT(e, SPR_E_OUTPUTS, out);
    for (int i = 0; i < nout; i++) SET_STRING_ELT(out, i, Rf_mkChar(""));
  } else {
    SET_VECTOR_ELT(e, SPR_E_OUTPUTS, strings(nout, suffixes));
  }
  SET_VECTOR_ELT(e, SPR_E_DESCRIPTION,
                 Rf_ScalarString(Rf_mkCharCE(description ? description : "",
                                             CE_UTF8)));
  SET_VECTOR_ELT(e, SPR_E_PROVIDER,
                 Rf_mkString(provider && provider[0] ? provider : "unknown"));
  SET_VECTOR_ELT(e, SPR_E_FLAGS, Rf_ScalarInteger((int)flags));
  SEXP raw = Rf_allocVector(RAWSXP, sizeof(spr_impl));
  SET_VECTOR_ELT(e, SPR_E_IMPL, raw);
  memcpy(RAW(raw), impl, sizeof(spr_impl));
  SET_VECTOR_ELT(e, SPR_E_LEVELS, strings(nlevels, levels));
  SEXP nms = Rf_allocVector(STRSXP, SPR_E_NFIELDS);
  Rf_setAttrib(e, R_NamesSymbol, nms);
  for (int i = 0; i < SPR_E_NFIELDS; i++)
    SET_STRING_ELT(nms, i, Rf_mkChar(entry_names[i]));
  UNPROTECT(1);
  return e;
}

/* Checks shared by the three definition structs. */
static int check_common(int version, const char *name, int nargs,
                        const char *const *args, int nparams,
                        const char *const *params, spreiding_error *err) {
  if (version != SPREIDING_API_VERSION)
    return set_err(err, "plugin was built for spreiding API version %d, the "
                   "installed spreiding has version %d; reinstall the plugin "
                   "package", version, SPREIDING_API_VERSION);
  if (!valid_name(name))
    return set_err(err, "invalid name '%s': use a letter followed by letters, "
                   "digits, '.' or '_' (at most 64)", name ? name : "(null)");
  if (nargs < 0 || (nargs > 0 && args == NULL))
    return set_err(err, "'%s': nargs is %d but arg_names is %s", name, nargs,
                   args ? "set" : "NULL");
  for (int i = 0; i < nargs; i++)
    if (!valid_name(args[i]))
      return set_err(err, "'%s': argument %d has an invalid name", name, i + 1);
  if (nparams < 0 || (nparams > 0 && params == NULL))
    return set_err(err, "'%s': nparams is %d but param_names is %s", name,
                   nparams, params ? "set" : "NULL");
  for (int i = 0; i < nparams; i++)
    if (!valid_name(params[i]))
      return set_err(err, "'%s': parameter %d has an invalid name", name, i + 1);
  return SPREIDING_OK;
}

int spr_register_statistic(const spreiding_statistic *def, int replace,
                           spreiding_error *err) {
  if (def == NULL) return set_err(err, "definition is NULL");
  if (check_common(def->api_version, def->name, def->nargs, def->arg_names,
                   def->nparams, def->param_names, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  if (def->kind == SPREIDING_REDUCING && def->reduce == NULL)
    return set_err(err, "'%s': a reducing statistic needs `reduce`", def->name);
  if (def->kind == SPREIDING_DERIVING && def->derive == NULL)
    return set_err(err, "'%s': a deriving statistic needs `derive`", def->name);
  if (def->kind != SPREIDING_REDUCING && def->kind != SPREIDING_DERIVING)
    return set_err(err, "'%s': kind must be SPREIDING_REDUCING or "
                   "SPREIDING_DERIVING", def->name);
  if (def->nout < 1 || def->nout > 64 || (def->nout > 1 && def->out_suffixes == NULL))
    return set_err(err, "'%s': nout must be 1..64, with out_suffixes when > 1",
                   def->name);
  spr_impl impl = {def->reduce, def->derive, NULL, NULL, def->data};
  SEXP e = PROTECT(new_entry(
      def->name, def->kind == SPREIDING_REDUCING ? "reducing" : "deriving",
      def->nargs, def->arg_names, def->nparams, def->param_names,
      def->param_defaults, def->nout, def->out_suffixes, def->description,
      def->provider, def->flags, &impl, 0, NULL));
  int status = insert_entry(SPR_STATISTICS, e, replace, err);
  UNPROTECT(1);
  return status;
}

int spr_register_classifier(const spreiding_classifier *def, int replace,
                            spreiding_error *err) {
  if (def == NULL) return set_err(err, "definition is NULL");
  if (check_common(def->api_version, def->name, def->nargs, def->arg_names,
                   def->nparams, def->param_names, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  if (def->classify == NULL)
    return set_err(err, "'%s': a classifier needs `classify`", def->name);
  if (def->nlevels < 1 || def->levels == NULL)
    return set_err(err, "'%s': a classifier needs nlevels >= 1 and levels",
                   def->name);
  spr_impl impl = {NULL, NULL, def->classify, NULL, def->data};
  SEXP e = PROTECT(new_entry(def->name, "classifier", def->nargs,
                             def->arg_names, def->nparams, def->param_names,
                             def->param_defaults, 1, NULL, def->description,
                             def->provider, 0u, &impl, def->nlevels,
                             def->levels));
  int status = insert_entry(SPR_CLASSIFIERS, e, replace, err);
  UNPROTECT(1);
  return status;
}

int spr_register_disclosure_rule(const spreiding_disclosure_rule *def,
                                 int replace, spreiding_error *err) {
  if (def == NULL) return set_err(err, "definition is NULL");
  if (check_common(def->api_version, def->name, def->nargs, def->arg_names,
                   def->nparams, def->param_names, err) != SPREIDING_OK)
    return SPREIDING_ERROR;
  if (def->disclose == NULL)
    return set_err(err, "'%s': a disclosure rule needs `disclose`", def->name);
  if (def->nargs < 1)
    return set_err(err, "'%s': a disclosure rule needs nargs >= 1 (the count "
                   "column first)", def->name);
  spr_impl impl = {NULL, NULL, NULL, def->disclose, def->data};
  /* the engine's own secondary() marker is listed as what it is */
  int marker = strcmp(def->name, "secondary") == 0 && def->provider != NULL &&
               strcmp(def->provider, "spreiding") == 0;
  SEXP e = PROTECT(new_entry(def->name, marker ? "secondary" : "primary",
                             def->nargs, def->arg_names,
                             def->nparams,
                             def->param_names, def->param_defaults, 1, NULL,
                             def->description, def->provider, 0u, &impl, 0,
                             NULL));
  int status = insert_entry(SPR_DISCLOSURE, e, replace, err);
  UNPROTECT(1);
  return status;
}

int spr_unregister(const char *registry, const char *name,
                   const char *provider) {
  int family = registry ? family_index(registry) : -1;
  if (family < 0 || name == NULL) return -1;
  int at = find_entry(family, name);
  if (at < 0) return 0;
  SEXP list = VECTOR_ELT(registries, family);
  const char *owner = entry_string(VECTOR_ELT(list, at), SPR_E_PROVIDER);
  if (strcmp(owner, "spreiding") == 0) return -1;
  if (provider != NULL && strcmp(owner, provider) != 0) return -1;
  R_xlen_t n = XLENGTH(list);
  SEXP shrunk = PROTECT(Rf_allocVector(VECSXP, n - 1));
  for (R_xlen_t i = 0, j = 0; i < n; i++)
    if (i != at) SET_VECTOR_ELT(shrunk, j++, VECTOR_ELT(list, i));
  SET_VECTOR_ELT(registries, family, shrunk);
  UNPROTECT(1);
  return 1;
}

/* ---- .Call entry points -------------------------------------------------- */

SEXP spr_c_registry_list(SEXP family_sexp) {
  int family = family_arg(family_sexp);
  SEXP list = VECTOR_ELT(registries, family);
  R_xlen_t n = XLENGTH(list);
  SEXP name = PROTECT(Rf_allocVector(STRSXP, n));
  SEXP kind = PROTECT(Rf_allocVector(STRSXP, n));
  SEXP args = PROTECT(Rf_allocVector(STRSXP, n));
  SEXP desc = PROTECT(Rf_allocVector(STRSXP, n));
  SEXP prov = PROTECT(Rf_allocVector(STRSXP, n));
  for (R_xlen_t i = 0; i < n; i++) {
    SEXP e = VECTOR_ELT(list, i);
    SET_STRING_ELT(name, i, STRING_ELT(VECTOR_ELT(e, SPR_E_NAME), 0));
    SET_STRING_ELT(kind, i, STRING_ELT(VECTOR_ELT(e, SPR_E_KIND), 0));
    SET_STRING_ELT(desc, i, STRING_ELT(VECTOR_ELT(e, SPR_E_DESCRIPTION), 0));
    SET_STRING_ELT(prov, i, STRING_ELT(VECTOR_ELT(e, SPR_E_PROVIDER), 0));
    /* "x, level = 0.95": column arguments, then parameters with defaults */
    SEXP a = VECTOR_ELT(e, SPR_E_ARGS), p = VECTOR_ELT(e, SPR_E_PARAMS);
    SEXP d = VECTOR_ELT(e, SPR_E_DEFAULTS);
    char buf[1024];
    size_t used = 0;
    buf[0] = '\0';
    for (R_xlen_t j = 0; j < XLENGTH(a) + XLENGTH(p) && used < sizeof buf; j++) {
      const char *sep = j ? ", " : "";
      int w;
      if (j < XLENGTH(a)) {
        w = snprintf(buf + used, sizeof buf - used, "%s%s", sep,
                     CHAR(STRING_ELT(a, j)));
      } else {
        R_xlen_t k = j - XLENGTH(a);
        if (ISNAN(REAL(d)[k]))
          w = snprintf(buf + used, sizeof buf - used, "%s%s", sep,
                       CHAR(STRING_ELT(p, k)));
        else
          w = snprintf(buf + used, sizeof buf - used, "%s%s = %g", sep,
                       CHAR(STRING_ELT(p, k)), REAL(d)[k]);
      }
      if (w < 0) break;
      used += (size_t)w;
    }
    SET_STRING_ELT(args, i, Rf_mkCharCE(buf, CE_UTF8));
  }
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 5));
  SET_VECTOR_ELT(out, 0, name);
  SET_VECTOR_ELT(out, 1, kind);
  SET_VECTOR_ELT(out, 2, args);
  SET_VECTOR_ELT(out, 3, desc);
  SET_VECTOR_ELT(out, 4, prov);
  SEXP nms = PROTECT(Rf_allocVector(STRSXP, 5));
  const char *cols[] = {"name", "kind", "arguments", "description", "provider"};
  for (int i = 0; i < 5; i++) SET_STRING_ELT(nms, i, Rf_mkChar(cols[i]));
  Rf_setAttrib(out, R_NamesSymbol, nms);
  UNPROTECT(7);
  return out;
}

SEXP spr_c_registry_get(SEXP family_sexp, SEXP name_sexp) {
  int family = family_arg(family_sexp);
  if (!Rf_isString(name_sexp) || XLENGTH(name_sexp) != 1)
    SPR_INTERNAL("`name` must be a string");
  int at = find_entry(family, CHAR(STRING_ELT(name_sexp, 0)));
  return at < 0 ? R_NilValue : VECTOR_ELT(VECTOR_ELT(registries, family), at);
}

/* Register an R closure; `entry_sexp` is built and checked by R/registry.R. */
SEXP spr_c_registry_add(SEXP family_sexp, SEXP entry_sexp, SEXP replace_sexp) {
  int family = family_arg(family_sexp);
  if (TYPEOF(entry_sexp) != VECSXP || XLENGTH(entry_sexp) != SPR_E_NFIELDS)
    SPR_INTERNAL("malformed registry entry");
  if (!Rf_isFunction(VECTOR_ELT(entry_sexp, SPR_E_IMPL)))
    SPR_INTERNAL("an R registry entry needs a function");
  spreiding_error err;
  if (insert_entry(family, entry_sexp, Rf_asLogical(replace_sexp) == TRUE,
                   &err) != SPREIDING_OK)
    spr_error("name", 0, "%s", err.message);
  return R_NilValue;
}

SEXP spr_c_registry_remove(SEXP family_sexp, SEXP name_sexp) {
  int family = family_arg(family_sexp);
  const char *name = CHAR(STRING_ELT(name_sexp, 0));
  /* From R, any non-built-in entry can be removed (provider NULL). */
  int status = spr_unregister(family_names[family], name, NULL);
  if (status < 0)
    spr_error("name", 0, "'%s' is a built-in entry of the %s registry and "
              "cannot be removed", name, family_names[family]);
  return Rf_ScalarLogical(status == 1);
}
