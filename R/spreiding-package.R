#' spreiding: regional health-workforce tables, linkage and disclosure control
#'
#' Tools for the regional analyses of health-workforce research, such as
#' where medical students grew up and how many became general practitioner.
#' The heavy lifting is C: [region_table()] groups the rows once and runs
#' every statistic over the same groups; [statistics()], [classifiers()] and
#' [disclosure_rules()] list the plugin registries, which other packages can
#' extend from R ([register_statistic()]) or C (`inst/include/spreiding.h`).
#'
#' @keywords internal
#' @useDynLib spreiding, .registration = TRUE, .fixes = "C_"
"_PACKAGE"
