#' A short tour of spreiding on the data it ships
#'
#' Runs the package's current pipeline on the published Mulder (2025) PC2
#' tables that ship with it (no network, no files outside the package):
#' counts of students, doctors and GPs per postcode-2 area, the pass rates
#' to doctor and to GP of the 2000-2010 cohort, and inhabitants per
#' student, per doctor and per GP, all with [region_table()]. Prints the ten
#' areas with the most and the ten with the fewest inhabitants per student.
#'
#' Note that attaching spreiding masks [utils::demo()]; call
#' `utils::demo()` for R's demos.
#'
#' @return The PC2 table, invisibly.
#' @export
#' @examples
#' tab <- demo()
#' head(tab)
demo <- function() {
  pc2 <- spreiding::mulder2025_pc2
  regions <- pc2[c("pc2", "region", "inhabitants")]
  tab <- region_table(
    pc2, "pc2",
    students = sum(students_2000_2024),
    doctors = sum(doctors_2000_2024),
    gps = sum(gps_2000_2010),
    students_2000_2010 = sum(students_2000_2010),
    doctors_2000_2010 = sum(doctors_2000_2010),
    pct_doctor = pct(doctors_2000_2010, students_2000_2010),
    pct_gp = pct(gps, students_2000_2010),
    inh_per_student = ratio(inhabitants, students),
    inh_per_doctor = ratio(inhabitants, doctors),
    inh_per_gp = ratio(inhabitants, gps),
    .regions = regions
  )
  shown <- tab[c("pc2", "region", "students", "gps", "pct_gp",
                 "inh_per_student", "inh_per_gp")]
  shown$pct_gp <- round_half_away(shown$pct_gp, 1)
  shown$inh_per_student <- round_half_away(shown$inh_per_student)
  shown$inh_per_gp <- round_half_away(shown$inh_per_gp)
  ranked <- shown[order(shown$inh_per_student), ]
  rownames(ranked) <- NULL
  names(ranked) <- c("pc2", "region", "students", "GPs", "% GP",
                     "inh/student", "inh/GP")

  cli::cli_h1("Regional origin of medical students (Mulder 2025, published tables)")
  cli::cli_text(
    "Students 2000-2024 per PC2 area; GPs and % of students who became GP ",
    "in the 2000-2010 cohort; inhabitants (2024) per student and per GP."
  )
  cli::cli_h2("10 PC2 areas with the fewest inhabitants per student")
  print(utils::head(ranked, 10), row.names = FALSE)
  cli::cli_h2("10 PC2 areas with the most inhabitants per student")
  print(utils::tail(ranked, 10)[10:1, ], row.names = FALSE)
  nat <- sum(pc2$inhabitants) / sum(pc2$students_2000_2024)
  cli::cli_text(
    "Netherlands: {round_half_away(nat)} inhabitants per student with a ",
    "known PC2 (2000-2024). See {.fun region_table} and {.fun statistics}."
  )
  invisible(tab)
}
