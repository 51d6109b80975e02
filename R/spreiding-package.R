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
#' @importFrom cli cli_progress_bar
"_PACKAGE"

# Statistic calls in demo() are evaluated by region_table(), not by R.
utils::globalVariables(c(
  "count", "sum", "pct", "ratio", "rate", "students", "doctors", "gps",
  "inhabitants", "became_doctor", "became_gp",
  "students_2000_2024", "doctors_2000_2024", "gps_2000_2010",
  "students_2000_2010", "doctors_2000_2010",
  # the survey step of demo(): statistic and classifier calls, and the
  # columns that plot_quadrant() and map_regions() take unquoted
  "share", "share_ratio", "pct_respondents", "weight", "alumni", "gp_fte",
  "id", "pct_preferred", "outflow_pct", "name", "inh_per_student"
))
