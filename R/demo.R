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
#'    areas with the most and the fewest inhabitants per student;
#' 4. the synthetic PC2 table made publishable: [disclose()] hides counts
#'    of 1 to 9, their complements and the rates computed from them, and
#'    [publish()] writes it as the report does;
#' 5. a map of inhabitants per student per PC2 area ([map_regions()]): about
#'    200 in the Randstad, 600 to 700 in the north and in Zeeland;
#' 6. a synthetic Nivel survey of young GPs ([simulate_survey()]): the
#'    share of alumni working in each AZW region against its share of GP
#'    capacity (`share_ratio()`), the percentage wanting to work there, and
#'    the labour-market position ([classify()] with [quadrant()], drawn by
#'    [plot_quadrant()]).
#'
#' The tables are written as CSV files and the figures as PNG files into
#' `dir` (the figures need ggplot2, and the map sf as well; without them
#' the demo says so and skips the figure).
#'
#' Note that attaching spreiding masks [utils::demo()]; call
#' `utils::demo()` for R's demos.
#'
#' @param dir Directory for the CSV and PNG files; created when missing.
#' @param scale Size of the synthetic cohort relative to the real one.
#' @param seed Seed of the synthetic cohort and survey.
#' @return A list with the linked synthetic cohort (`linked`), its PC2 table
#'   (`synthetic`), the table from the published counts (`published`), the
#'   disclosed synthetic table (`disclosed`), the AZW table of the survey
#'   (`azw`) and the paths of the files written (`files`), invisibly.
#' @export
#' @examples
#' res <- demo(dir = tempfile("spreiding-demo"), scale = 0.2)
#' head(res$published)
#' basename(res$files)
demo <- function(dir = tempdir(), scale = 1, seed = 2025) {
  call <- sys.call()
  if (!is_string(dir)) {
    stop_spreiding("`dir` must be the path of a directory.", arg = "dir",
                   call = call)
  }
  if (!dir.exists(dir) && !dir.create(dir, recursive = TRUE)) {
    stop_spreiding(paste0("Cannot create the directory `dir` (", dir, ")."),
                   arg = "dir", call = call)
  }
  files <- character()
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

  cli::cli_h1("4. The synthetic table, made publishable")
  cli::cli_progress_step("disclose(): counts of 1 to 9 and their complements")
  # students whose postcode at 16 is unknown are a row of their own
  tab <- synthetic
  tab$pc2 <- ifelse(is.na(tab$pc2), "unknown", as.character(tab$pc2))
  disclosed <- disclose(tab, c("students", "doctors", "gps"), audit = FALSE)
  cli::cli_progress_done()
  counts <- c("students", "doctors", "gps")
  hidden <- vapply(counts, function(k) {
    sum(disclosed[[paste0(k, "_status")]] != "ok")
  }, integer(1))
  cli::cli_text("Hidden cells: {paste(counts, hidden, sep = ' ', ",
                "collapse = ', ')} (primary, complementary and derived).")
  pub <- publish(disclosed, digits = c(pct_doctor = 1, pct_gp = 1,
                                       inh_per_student = 0))
  files <- c(files, demo_csv(pub, dir, "pc2_synthetic_published.csv"))
  files <- c(files, demo_csv(published, dir, "pc2_published_tables.csv"))

  cli::cli_h1("5. Inhabitants per student, per PC2 area")
  if (requireNamespace("ggplot2", quietly = TRUE) &&
      requireNamespace("sf", quietly = TRUE)) {
    cli::cli_progress_step("map_regions(): inhabitants per student")
    pc2_layer <- read_regions(system.file("extdata", "pc2.gpkg",
                                          package = "spreiding"), id = "pc2")
    map <- map_regions(published, pc2_layer, inh_per_student,
                       labels = c(title = "Inhabitants\nper student"))
    files <- c(files, demo_png(map, dir, "map_inhabitants_per_student.png"))
    cli::cli_progress_done()
  } else {
    cli::cli_text("The map needs ggplot2 and sf; skipped.")
  }

  cli::cli_h1("6. Young GPs: where they work and want to work (synthetic)")
  cli::cli_progress_step("simulate_survey(), expand_answers(), region_table()")
  sv <- simulate_survey(seed = seed)
  work <- expand_answers(sv$respondents, "id", "work_regions")
  pref <- expand_answers(sv$respondents, "id", "preferred_regions")
  azw <- region_table(work, "work_regions",
                      alumni = sum(weight),
                      alumni_share = share(alumni),
                      fte_share = share(gp_fte),
                      ratio = share_ratio(alumni, gp_fte),
                      .regions = sv$regions[c("region", "name", "gp_fte",
                                              "outflow_pct")])
  wish <- region_table(pref, "preferred_regions",
                       pct_preferred = pct_respondents(id))
  azw <- azw[!is.na(azw$work_regions), ]
  azw$pct_preferred <- wish$pct_preferred[match(azw$work_regions,
                                                wish$preferred_regions)]
  azw$pct_preferred[is.na(azw$pct_preferred)] <- 0
  azw <- classify(azw, position = quadrant(pct_preferred, outflow_pct))
  cli::cli_progress_done()
  shown <- azw[order(-azw$pct_preferred),
               c("name", "ratio", "pct_preferred", "outflow_pct", "position")]
  shown$ratio <- round_half_away(shown$ratio, 2)
  shown$pct_preferred <- round_half_away(shown$pct_preferred, 1)
  names(shown) <- c("AZW region", "share ratio", "% prefer", "% outflow",
                    "position")
  cli::cli_text("The three most and the three least preferred AZW regions:")
  print(rbind(utils::head(shown, 3), utils::tail(shown, 3)), row.names = FALSE)
  files <- c(files, demo_csv(azw, dir, "azw_labour_market.csv"))
  if (requireNamespace("ggplot2", quietly = TRUE)) {
    fig <- plot_quadrant(azw, pct_preferred, outflow_pct, name) +
      ggplot2::labs(x = "Respondents who would like to work here (%)",
                    y = "GPs expected to leave within five years (%)")
    files <- c(files, demo_png(fig, dir, "azw_quadrant.png"))
  } else {
    cli::cli_text("The quadrant figure needs ggplot2; skipped.")
  }

  cli::cli_h1("Files")
  cli::cli_text("Written to {.path {dir}}:")
  cli::cli_ul(basename(files))
  invisible(list(linked = linked, synthetic = synthetic,
                 published = published, disclosed = disclosed, azw = azw,
                 files = files))
}

demo_csv <- function(x, dir, name) {
  path <- file.path(dir, name)
  utils::write.csv(as.data.frame(x), path, row.names = FALSE, na = "")
  path
}

demo_png <- function(plot, dir, name) {
  path <- file.path(dir, name)
  ggplot2::ggsave(path, plot, width = 7, height = 7, dpi = 100)
  path
}
