#' A short tour of spreiding on the data it ships
#'
#' Runs the package's pipeline on what it ships (no network, no files
#' outside the package):
#'
#' 1. a synthetic cohort of first-year medical students calibrated to the
#'    Mulder (2025) tables ([simulate_cohort()]), linked to their postcode at
#'    age 16 and to the register ([link_cohort()]), with the linkage report;
#' 2. a table per postcode-2 area of the synthetic 2000-2010 cohort with
#'    [region_table()]: students, doctors, GPs, pass rates and inhabitants
#'    per student;
#' 3. the same figures from the published tables ([mulder2025_pc2]): the
#'    areas with the most and the fewest inhabitants per student.
#'
#' Note that attaching spreiding masks [utils::demo()]; call
#' `utils::demo()` for R's demos.
#'
#' @param scale Size of the synthetic cohort relative to the real one.
#' @param seed Seed of the synthetic cohort.
#' @return A list with the linked synthetic cohort (`linked`), its PC2 table
#'   (`synthetic`) and the table from the published counts (`published`),
#'   invisibly.
#' @export
#' @examples
#' res <- demo(scale = 0.2)
#' head(res$published)
demo <- function(scale = 1, seed = 2025) {
  regions <- spreiding::mulder2025_pc2[c("pc2", "region", "inhabitants")]

  cli::cli_h1("1. A synthetic cohort, linked")
  sim <- simulate_cohort(scale = scale, seed = seed)
  cli::cli_text(
    "simulate_cohort(): {nrow(sim$students)} students, ",
    "{nrow(sim$addresses)} address spells, {nrow(sim$register)} register ",
    "rows (synthetic, calibrated to the published tables)."
  )
  linked <- link_cohort(sim$students, sim$addresses, sim$register)
  cli::cli_text("link_cohort(): postcode at age 16 and BIG registrations. ",
                "Linkage report:")
  print(linkage_report(linked), row.names = FALSE)

  cli::cli_h1("2. Synthetic cohort 2000-2010 per PC2 area")
  cohort <- linked[linked$cohort %in% "2000-2010", ]
  synthetic <- region_table(
    cohort, "pc2",
    students = count(),
    doctors = sum(became_doctor),
    gps = sum(became_gp),
    pct_doctor = rate(became_doctor),
    pct_gp = rate(became_gp),
    inh_per_student = ratio(inhabitants, students),
    .regions = regions
  )
  shown <- synthetic[c("pc2", "region", "students", "doctors", "gps",
                       "pct_doctor", "pct_gp", "inh_per_student")]
  for (col in c("pct_doctor", "pct_gp")) {
    shown[[col]] <- round_half_away(shown[[col]], 1)
  }
  shown$inh_per_student <- round_half_away(shown$inh_per_student)
  names(shown) <- c("pc2", "region", "students", "doctors", "GPs", "% doctor",
                    "% GP", "inh/student")
  print(utils::head(shown, 8), row.names = FALSE)
  cli::cli_text(
    "... {nrow(shown)} rows: the 90 PC2 areas, then students whose postcode ",
    "at 16 is unknown (pc2 NA: {shown$students[is.na(shown$pc2)]})."
  )

  cli::cli_h1("3. Published tables (Mulder 2025)")
  pc2 <- spreiding::mulder2025_pc2
  published <- region_table(
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
  ranked <- published[c("pc2", "region", "students", "gps", "pct_gp",
                         "inh_per_student", "inh_per_gp")]
  ranked$pct_gp <- round_half_away(ranked$pct_gp, 1)
  ranked$inh_per_student <- round_half_away(ranked$inh_per_student)
  ranked$inh_per_gp <- round_half_away(ranked$inh_per_gp)
  ranked <- ranked[order(ranked$inh_per_student), ]
  names(ranked) <- c("pc2", "region", "students", "GPs", "% GP",
                     "inh/student", "inh/GP")
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
    "known PC2 (2000-2024). See {.fun region_table} and {.fun link_cohort}."
  )
  invisible(list(linked = linked, synthetic = synthetic,
                 published = published))
}
