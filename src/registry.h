/* registry.h -- the three plugin registries (statistics, classifiers,
 * disclosure rules), one implementation; see registry.c. */
#ifndef SPREIDING_REGISTRY_H
#define SPREIDING_REGISTRY_H

#include "spreiding.h"

enum spr_family { SPR_STATISTICS = 0, SPR_CLASSIFIERS = 1, SPR_DISCLOSURE = 2 };

/* Fields of a registry entry (an R list). */
enum spr_entry_field {
  SPR_E_NAME = 0,
  SPR_E_KIND,
  SPR_E_ARGS,
  SPR_E_PARAMS,
  SPR_E_DEFAULTS,
  SPR_E_OUTPUTS,
  SPR_E_DESCRIPTION,
  SPR_E_PROVIDER,
  SPR_E_FLAGS,
  SPR_E_IMPL,
  SPR_E_LEVELS,
  SPR_E_NFIELDS
};

/* What a C entry calls: kept in a raw vector (field SPR_E_IMPL); an R entry
 * keeps its closure there instead. */
typedef struct {
  spreiding_reduce_fn reduce;
  spreiding_derive_fn derive;
  spreiding_classify_fn classify;
  spreiding_disclose_fn disclose;
  void *data;
} spr_impl;

void spr_registry_init(void);

/* C API (api.c exports these to other packages). */
int spr_register_statistic(const spreiding_statistic *def, int replace,
                           spreiding_error *err);
int spr_register_classifier(const spreiding_classifier *def, int replace,
                            spreiding_error *err);
int spr_register_disclosure_rule(const spreiding_disclosure_rule *def,
                                 int replace, spreiding_error *err);
int spr_unregister(const char *registry, const char *name,
                   const char *provider);

/* .Call entry points. */
SEXP spr_c_registry_list(SEXP family_sexp);
SEXP spr_c_registry_get(SEXP family_sexp, SEXP name_sexp);
SEXP spr_c_registry_add(SEXP family_sexp, SEXP entry_sexp, SEXP replace_sexp);
SEXP spr_c_registry_remove(SEXP family_sexp, SEXP name_sexp);

#endif
