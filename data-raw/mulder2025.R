# Build the shipped Mulder (2025) datasets from the published tables.
#
# Source: L. Mulder (2025), UMC Utrecht, report to the Dutch Ministry of
# Health, Welfare and Sport (VWS) on the regional origin of medical students
# 2000-2024 (CBS microdata linked to the BIG register 2024). The report's
# appendices and Table 1 were extracted to CSV in ../shared/data/mulder2025.
#
# Run from the package root:
#
#   Rscript data-raw/mulder2025.R
#
# Writes data/mulder2025_pc2.rda, data/mulder2025_pc4.rda and
# data/mulder2025_table1.rda. Counts are kept exactly as published: the
# report's percentages and inhabitants-per-person ratios are not shipped,
# because they follow from the counts. Every structural assumption the
# datasets rely on (keys, region names, blinded areas, duplicated columns)
# is checked here and stops the build when it does not hold.

if (!file.exists("DESCRIPTION") ||
    !identical(unname(read.dcf("DESCRIPTION", "Package")[1, 1]), "spreiding")) {
  stop("run this script from the root of the spreiding package source")
}

# SPREIDING_SHARED_DATA names the shared data directory (or shared/ above
# it), as in tests/testthat/helper-shared.R.
src <- Sys.getenv("SPREIDING_SHARED_DATA", "")
src <- if (nzchar(src)) {
  c(file.path(src, "mulder2025"), file.path(src, "data", "mulder2025"))
} else {
  file.path("..", "shared", "data", "mulder2025")
}
src <- src[dir.exists(src)][1]
if (is.na(src)) {
  stop("cannot find the published tables in ../shared/data/mulder2025",
       " (set SPREIDING_SHARED_DATA to the shared data directory)")
}

# Every cell is read as text, so nothing is converted behind our back.
read_table <- function(file) {
  path <- file.path(src, file)
  x <- utils::read.csv(path, colClasses = "character", na.strings = character(),
                       check.names = FALSE, strip.white = FALSE,
                       encoding = "UTF-8")
  x[] <- lapply(x, function(col) sub("\r$", "", col))
  attr(x, "file") <- file
  x
}

# A published count: digits only, nothing else.
as_count <- function(x, col) {
  v <- x[[col]]
  bad <- !grepl("^[0-9]+$", v)
  if (any(bad)) {
    stop(attr(x, "file"), ", column ", col, ", row ", which(bad)[1],
         ": not a count: \"", v[bad][1], "\"")
  }
  as.integer(v)
}

check_keys <- function(x, col, expected) {
  got <- as_count(x, col)
  if (!identical(got, expected)) {
    stop(attr(x, "file"), ": ", col, " is not ",
         deparse(expected, width.cutoff = 500L)[1])
  }
  invisible(got)
}

check_columns <- function(x, cols) {
  if (!identical(names(x), cols)) {
    stop(attr(x, "file"), ": expected columns ", paste(cols, collapse = ", "),
         ", found ", paste(names(x), collapse = ", "))
  }
}

check_equal <- function(x, y, what) {
  if (!identical(x, y)) {
    stop(what, " differ in ", sum(x != y, na.rm = TRUE), " row(s)")
  }
}

# PC2 tables ---------------------------------------------------------------

a1 <- read_table("appendix1_pc2_cohort2000_2010.csv")
a2 <- read_table("appendix2_pc2_cohort2011_2024.csv")
a5 <- read_table("appendix5_pc2_both_cohorts.csv")
a8 <- read_table("appendix8_pc2_sex_cohort2000_2010.csv")
a10 <- read_table("appendix10_pc2_inhabitants.csv")

check_columns(a1, c("pc2", "region", "students", "doctors", "gps",
                    "pct_doctor", "pct_gp"))
check_columns(a2, c("pc2", "region", "students", "doctors", "pct_doctor"))
check_columns(a5, c("pc2", "region", "students", "doctors"))
check_columns(a8, c("pc2", "region", "students_m", "students_f",
                    "doctors_m", "doctors_f"))
check_columns(a10, c("pc2", "region", "inhabitants", "students", "doctors",
                     "gps"))

pc2 <- 10:99
for (x in list(a1, a2, a5, a10)) check_keys(x, "pc2", pc2)

# Appendix 8 leaves out the areas the report blinded; name them here so a
# different extraction cannot slip through unnoticed.
pc2_sex <- as_count(a8, "pc2")
blinded <- setdiff(pc2, pc2_sex)
if (!identical(blinded, c(87L, 91L))) {
  stop("appendix 8 is expected to blind PC2 87 and 91, it lacks ",
       paste(blinded, collapse = ", "))
}
check_keys(a8, "pc2", setdiff(pc2, blinded))

region <- a1$region
for (x in list(a2, a5, a10)) check_equal(x$region, region, paste(
  "region names in", attr(x, "file"), "and", attr(a1, "file")))
check_equal(a8$region, region[match(pc2_sex, pc2)],
            paste("region names in", attr(a8, "file"), "and", attr(a1, "file")))

# Appendix 10 repeats the counts of appendix 5 (students, doctors) and of
# appendix 1 (GPs) beside the inhabitants; ship them once.
check_equal(as_count(a10, "students"), as_count(a5, "students"),
            "appendix 10 and appendix 5 students")
check_equal(as_count(a10, "doctors"), as_count(a5, "doctors"),
            "appendix 10 and appendix 5 doctors")
check_equal(as_count(a10, "gps"), as_count(a1, "gps"),
            "appendix 10 and appendix 1 GPs")

by_sex <- function(col) as_count(a8, col)[match(pc2, pc2_sex)]

mulder2025_pc2 <- data.frame(
  pc2 = pc2,
  region = region,
  students_2000_2010 = as_count(a1, "students"),
  doctors_2000_2010 = as_count(a1, "doctors"),
  gps_2000_2010 = as_count(a1, "gps"),
  students_2011_2024 = as_count(a2, "students"),
  doctors_2011_2024 = as_count(a2, "doctors"),
  students_2000_2024 = as_count(a5, "students"),
  doctors_2000_2024 = as_count(a5, "doctors"),
  students_m_2000_2010 = by_sex("students_m"),
  students_f_2000_2010 = by_sex("students_f"),
  doctors_m_2000_2010 = by_sex("doctors_m"),
  doctors_f_2000_2010 = by_sex("doctors_f"),
  inhabitants = as_count(a10, "inhabitants"),
  stringsAsFactors = FALSE
)

# PC4 tables ---------------------------------------------------------------

pc4_tables <- list(
  students_2000_2024 = list("appendix6_pc4_students_both_cohorts.csv", "students"),
  doctors_2000_2024 = list("appendix7_pc4_doctors_both_cohorts.csv", "doctors"),
  gps_2000_2010 = list("appendix9_pc4_gps_cohort2000_2010.csv", "gps"),
  students_2011_2024 = list("appendix4_pc4_students_cohort2011_2024_tail.csv",
                            "students")
)

pc4_read <- lapply(pc4_tables, function(spec) {
  x <- read_table(spec[[1]])
  check_columns(x, c("pc4", spec[[2]]))
  key <- as_count(x, "pc4")
  if (any(key < 1000L | key > 9999L)) stop(spec[[1]], ": pc4 out of 1000-9999")
  if (anyDuplicated(key)) stop(spec[[1]], ": duplicated pc4 ", key[anyDuplicated(key)])
  n <- as_count(x, spec[[2]])
  if (any(n < 10L)) stop(spec[[1]], ": a published PC4 count below 10")
  list(pc4 = key, n = n)
})

pc4 <- sort(unique(unlist(lapply(pc4_read, `[[`, "pc4"))))
if (!all(pc4 %/% 100L %in% pc2)) stop("a PC4 area lies outside PC2 10-99")

mulder2025_pc4 <- data.frame(pc4 = pc4, pc2 = pc4 %/% 100L)
for (col in names(pc4_read)) {
  x <- pc4_read[[col]]
  mulder2025_pc4[[col]] <- x$n[match(pc4, x$pc4)]
}

# Table 1 ------------------------------------------------------------------

t1 <- read_table("table1_demographics.csv")
check_columns(t1, c("cohort", "variable", "category", "students", "doctors",
                    "gps"))

# A cell as printed: a number, a suppression marker ("<10", "<20") or blank.
published_value <- function(col) {
  v <- t1[[col]]
  ok <- grepl("^([0-9]+|<[0-9]+|)$", v)
  if (!all(ok)) {
    stop(attr(t1, "file"), ", column ", col, ", row ", which(!ok)[1],
         ": unexpected cell \"", v[!ok][1], "\"")
  }
  out <- rep(NA_integer_, length(v))
  num <- grepl("^[0-9]+$", v)
  out[num] <- as.integer(v[num])
  out
}

mulder2025_table1 <- data.frame(
  cohort = t1$cohort,
  variable = t1$variable,
  category = t1$category,
  students = published_value("students"),
  doctors = published_value("doctors"),
  gps = published_value("gps"),
  students_published = t1$students,
  doctors_published = t1$doctors,
  gps_published = t1$gps,
  stringsAsFactors = FALSE
)

if (anyDuplicated(mulder2025_table1[c("cohort", "variable", "category")])) {
  stop("Table 1 has duplicated (cohort, variable, category) rows")
}

# Write ----------------------------------------------------------------------

dir.create("data", showWarnings = FALSE)
for (name in c("mulder2025_pc2", "mulder2025_pc4", "mulder2025_table1")) {
  save(list = name, file = file.path("data", paste0(name, ".rda")),
       compress = "xz", version = 2)
  x <- get(name)
  message(sprintf("data/%s.rda: %d rows, %d columns", name, nrow(x), ncol(x)))
}
