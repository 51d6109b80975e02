/* statistics.h -- the built-in statistic kernels (statistics.c). */
#ifndef SPREIDING_STATISTICS_H
#define SPREIDING_STATISTICS_H

#include "spreiding.h"

/* Register the built-ins in the statistics registry (at load time). */
void spr_register_builtin_statistics(void);

#endif
