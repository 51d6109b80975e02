/*
 * init.c -- registration of the package's routines (R's own
 * src/library/stats/src/init.c is the model): one table of .Call entry
 * points, no dynamic lookup, then the registries and the C API.
 */
#include "access.h"
#include "api.h"
#include "classify.h"
#include "crosswalk.h"
#include "disclose.h"
#include "index.h"
#include "link.h"
#include "registry.h"
#include "regions.h"
#include "select.h"
#include "statistics.h"
#include "table.h"

#define CALLDEF(name, n) {#name, (DL_FUNC)&name, n}

static const R_CallMethodDef call_entries[] = {
    CALLDEF(spr_c_access, 5),
    CALLDEF(spr_c_api_version, 0),
    CALLDEF(spr_c_classify, 7),
    CALLDEF(spr_c_crosswalk, 5),
    CALLDEF(spr_c_crs_equal, 2),
    CALLDEF(spr_c_crs_wkt, 2),
    CALLDEF(spr_c_disclose_cells, 3),
    CALLDEF(spr_c_disclose_moves, 9),
    CALLDEF(spr_c_disclose_components, 3),
    CALLDEF(spr_c_disclose_protect, 11),
    CALLDEF(spr_c_disclose_certify, 10),
    CALLDEF(spr_c_disclose_rule, 4),
    CALLDEF(spr_c_dissolve, 4),
    CALLDEF(spr_c_gdal_version, 0),
    CALLDEF(spr_c_group, 1),
    CALLDEF(spr_c_group_order, 2),
    CALLDEF(spr_c_group_remap, 3),
    CALLDEF(spr_c_index_build, 3),
    CALLDEF(spr_c_index_info, 1),
    CALLDEF(spr_c_index_locate, 6),
    CALLDEF(spr_c_origin, 9),
    CALLDEF(spr_c_point_coords, 1),
    CALLDEF(spr_c_read_regions, 4),
    CALLDEF(spr_c_reference_date, 2),
    CALLDEF(spr_c_register, 6),
    CALLDEF(spr_c_registry_add, 3),
    CALLDEF(spr_c_registry_get, 2),
    CALLDEF(spr_c_registry_list, 1),
    CALLDEF(spr_c_registry_remove, 2),
    CALLDEF(spr_c_round_half_away, 2),
    CALLDEF(spr_c_select, 10),
    CALLDEF(spr_c_select_openmp, 0),
    CALLDEF(spr_c_table, 6),
    CALLDEF(spr_c_transform, 4),
    {NULL, NULL, 0}};

void R_init_spreiding(DllInfo *dll) {
  R_registerRoutines(dll, NULL, call_entries, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
  spr_registry_init();
  spr_register_builtin_statistics();
  spr_register_builtin_rules();
  spr_register_builtin_classifiers();
  spr_register_callables(dll);
}
