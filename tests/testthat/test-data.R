# The shipped Mulder (2025) tables: their structure, the identities the
# report's tables obey, and (where the shared CSV extracts are at hand)
# equality with the published tables cell for cell. Expected totals are the
# report's own figures.

pc2_counts <- c(
  "students_2000_2010", "doctors_2000_2010", "gps_2000_2010",
  "students_2011_2024", "doctors_2011_2024",
  "students_2000_2024", "doctors_2000_2024",
  "students_m_2000_2010", "students_f_2000_2010",
  "doctors_m_2000_2010", "doctors_f_2000_2010",
  "inhabitants"
)
pc4_counts <- c(
  "students_2000_2024", "doctors_2000_2024", "gps_2000_2010",
  "students_2011_2024"
)
blinded_pc2 <- c(87L, 91L)

# Shipped data -------------------------------------------------------------

test_that("mulder2025_pc2 has one row per PC2 area 10..99", {
  x <- mulder2025_pc2
  expect_s3_class(x, "data.frame")
  expect_named(x, c("pc2", "region", pc2_counts))
  expect_identical(x$pc2, 10:99)
  expect_false(anyDuplicated(x$pc2) > 0)
  expect_type(x$region, "character")
  expect_false(anyNA(x$region))
  for (col in pc2_counts) expect_type(x[[col]], "integer")
  for (col in setdiff(pc2_counts, grep("_[mf]_", pc2_counts, value = TRUE))) {
    expect_false(anyNA(x[[col]]), label = col)
  }
})

test_that("appendix 5 is appendix 1 plus appendix 2 in every PC2 area", {
  x <- mulder2025_pc2
  expect_identical(x$students_2000_2024,
                   x$students_2000_2010 + x$students_2011_2024)
  expect_identical(x$doctors_2000_2024,
                   x$doctors_2000_2010 + x$doctors_2011_2024)
})

test_that("PC2 counts nest: students >= doctors >= GPs", {
  x <- mulder2025_pc2
  expect_true(all(x$doctors_2000_2010 <= x$students_2000_2010))
  expect_true(all(x$gps_2000_2010 <= x$doctors_2000_2010))
  expect_true(all(x$doctors_2011_2024 <= x$students_2011_2024))
})

test_that("by-sex counts fit their PC2 count and are NA only where blinded", {
  x <- mulder2025_pc2
  sex <- c("students_m_2000_2010", "students_f_2000_2010",
           "doctors_m_2000_2010", "doctors_f_2000_2010")
  for (col in sex) {
    expect_identical(x$pc2[is.na(x[[col]])], blinded_pc2, label = col)
  }
  shown <- !x$pc2 %in% blinded_pc2
  expect_true(all(x$students_m_2000_2010[shown] + x$students_f_2000_2010[shown] <=
                    x$students_2000_2010[shown]))
  expect_true(all(x$doctors_m_2000_2010[shown] + x$doctors_f_2000_2010[shown] <=
                    x$doctors_2000_2010[shown]))
  expect_true(all(x$doctors_m_2000_2010[shown] <= x$students_m_2000_2010[shown]))
  expect_true(all(x$doctors_f_2000_2010[shown] <= x$students_f_2000_2010[shown]))
})

test_that("PC2 rows sum to less than the cohort totals", {
  x <- mulder2025_pc2
  # 24,393 students in the 2000-2010 cohort, 22,491 of them with a known PC2.
  expect_identical(sum(x$students_2000_2010), 22491L)
  expect_lt(sum(x$students_2000_2010), 24393L)
  expect_lte(sum(x$doctors_2000_2010), 21045L)
  expect_lte(sum(x$gps_2000_2010), 5504L)
  expect_lte(sum(x$students_2011_2024), 33565L)
  expect_lte(sum(x$doctors_2011_2024), 13384L)
})

test_that("every published PC2 count is at least 10", {
  x <- mulder2025_pc2
  for (col in pc2_counts) {
    expect_true(all(x[[col]] >= 10L, na.rm = TRUE), label = col)
  }
})

test_that("mulder2025_pc4 is keyed by pc4, sorted, with its PC2", {
  x <- mulder2025_pc4
  expect_s3_class(x, "data.frame")
  expect_named(x, c("pc4", "pc2", pc4_counts))
  for (col in names(x)) expect_type(x[[col]], "integer")
  expect_false(anyNA(x$pc4))
  expect_false(is.unsorted(x$pc4, strictly = TRUE))
  expect_true(all(x$pc4 >= 1000L & x$pc4 <= 9999L))
  expect_identical(x$pc2, x$pc4 %/% 100L)
  expect_true(all(x$pc2 %in% mulder2025_pc2$pc2))
  # every row is published in at least one appendix
  expect_true(all(rowSums(!is.na(x[pc4_counts])) >= 1L))
})

test_that("every published PC4 count is at least 10", {
  x <- mulder2025_pc4
  for (col in pc4_counts) {
    expect_true(all(x[[col]] >= 10L, na.rm = TRUE), label = col)
  }
  # appendix 4 was extracted from its last page only: 10 or 11 students
  tail <- x$students_2011_2024[!is.na(x$students_2011_2024)]
  expect_gt(length(tail), 0L)
  expect_true(all(tail %in% c(10L, 11L)))
})

test_that("PC4 rows sum to at most their PC2 total", {
  p4 <- mulder2025_pc4
  p2 <- mulder2025_pc2
  pairs <- list(
    c("students_2000_2024", "students_2000_2024"),
    c("doctors_2000_2024", "doctors_2000_2024"),
    c("gps_2000_2010", "gps_2000_2010"),
    c("students_2011_2024", "students_2011_2024")
  )
  for (pair in pairs) {
    s <- tapply(p4[[pair[1]]], p4$pc2, sum, na.rm = TRUE)
    total <- p2[[pair[2]]][match(as.integer(names(s)), p2$pc2)]
    expect_true(all(as.vector(s) <= total), label = pair[1])
  }
})

test_that("PC4 counts nest: students >= doctors >= GPs", {
  x <- mulder2025_pc4
  d <- !is.na(x$doctors_2000_2024)
  expect_true(all(x$doctors_2000_2024[d] <= x$students_2000_2024[d]))
  g <- !is.na(x$gps_2000_2010)
  expect_true(all(!is.na(x$doctors_2000_2024[g])))
  expect_true(all(x$gps_2000_2010[g] <= x$doctors_2000_2024[g]))
})

test_that("mulder2025_table1 has counts beside the cells as printed", {
  x <- mulder2025_table1
  expect_s3_class(x, "data.frame")
  expect_named(x, c("cohort", "variable", "category", "students", "doctors",
                    "gps", "students_published", "doctors_published",
                    "gps_published"))
  for (col in c("cohort", "variable", "category", "students_published",
                "doctors_published", "gps_published")) {
    expect_type(x[[col]], "character")
    expect_false(anyNA(x[[col]]), label = col)
  }
  for (col in c("students", "doctors", "gps")) {
    expect_type(x[[col]], "integer")
    printed <- x[[paste0(col, "_published")]]
    shown <- !is.na(x[[col]])
    expect_identical(printed[shown], as.character(x[[col]][shown]))
    expect_true(all(printed[!shown] %in% c("<10", "<20", "")), label = col)
  }
  expect_identical(unique(x$cohort), c("2000-2010", "2011-2024"))
  expect_false(anyDuplicated(x[c("cohort", "variable", "category")]) > 0)
  expect_false(anyNA(x$students))
})

test_that("Table 1 totals are the report's cohort totals", {
  x <- mulder2025_table1
  tot <- x[x$variable == "total", ]
  expect_identical(tot$cohort, c("2000-2010", "2011-2024"))
  expect_identical(tot$students, c(24393L, 33565L))
  expect_identical(tot$doctors, c(21045L, 13384L))
  expect_identical(tot$gps, c(5504L, 619L))
})

# Sum of a block's cells with blank and suppressed cells as zero.
block_sum <- function(x, cohort, variable, col) {
  sum(x[[col]][x$cohort == cohort & x$variable == variable], na.rm = TRUE)
}

test_that("Table 1 blocks of the 2000-2010 cohort sum to the cohort total", {
  x <- mulder2025_table1
  # Hand-checked against the report: nothing is suppressed in this cohort and
  # every block adds up (the "unknown" rows are blank for doctors and GPs).
  for (v in c("sex", "migration_background", "parents_big_registered",
              "parents_doctor")) {
    expect_identical(block_sum(x, "2000-2010", v, "students"), 24393L, label = v)
    expect_identical(block_sum(x, "2000-2010", v, "doctors"), 21045L, label = v)
    expect_identical(block_sum(x, "2000-2010", v, "gps"), 5504L, label = v)
  }
  cells <- unlist(x[x$cohort == "2000-2010",
                    c("students_published", "doctors_published", "gps_published")])
  expect_false(any(grepl("^<", cells)))
})

test_that("Table 1 blocks of the 2011-2024 cohort add up but for suppression", {
  x <- mulder2025_table1
  for (v in c("sex", "migration_background", "parents_big_registered",
              "parents_doctor")) {
    expect_identical(block_sum(x, "2011-2024", v, "students"), 33565L, label = v)
    expect_identical(block_sum(x, "2011-2024", v, "doctors"), 13384L, label = v)
  }
  for (v in c("sex", "parents_big_registered", "parents_doctor")) {
    expect_identical(block_sum(x, "2011-2024", v, "gps"), 619L, label = v)
  }
  # GPs by migration background: Turkey "<20", six more "<10"; the printed
  # cells hold 507 + 28 + 30 = 565 of 619, so 54 hide in cells that can hold
  # at most 19 + 6 * 9 = 73.
  mig <- x[x$cohort == "2011-2024" & x$variable == "migration_background", ]
  expect_identical(sum(mig$gps, na.rm = TRUE), 565L)
  expect_identical(mig$category[mig$gps_published == "<20"], "Turkey")
  expect_identical(sum(mig$gps_published == "<10"), 6L)
  expect_lte(619L - 565L, 19L + 6L * 9L)
  expect_identical(
    x$gps_published[grepl("^<", x$gps_published) & x$cohort == "2011-2024"],
    mig$gps_published[grepl("^<", mig$gps_published)]
  )
})

test_that("PC2 sums do not exceed the Table 1 totals by sex", {
  x <- mulder2025_table1
  p2 <- mulder2025_pc2
  male <- x[x$cohort == "2000-2010" & x$variable == "sex" & x$category == "male", ]
  female <- x[x$cohort == "2000-2010" & x$variable == "sex" & x$category == "female", ]
  expect_lte(sum(p2$students_m_2000_2010, na.rm = TRUE), male$students)
  expect_lte(sum(p2$students_f_2000_2010, na.rm = TRUE), female$students)
  expect_lte(sum(p2$doctors_m_2000_2010, na.rm = TRUE), male$doctors)
  expect_lte(sum(p2$doctors_f_2000_2010, na.rm = TRUE), female$doctors)
})

# Against the published CSV extracts ----------------------------------------

read_published <- function(dir, file) {
  utils::read.csv(file.path(dir, file), colClasses = "character",
                  na.strings = character(), check.names = FALSE)
}

test_that("mulder2025_pc2 equals appendices 1, 2, 5, 8 and 10", {
  dir <- shared_data_path("mulder2025")
  skip_if_not(dir.exists(dir))
  x <- mulder2025_pc2

  a1 <- read_published(dir, "appendix1_pc2_cohort2000_2010.csv")
  expect_identical(x$pc2, as.integer(a1$pc2))
  expect_identical(x$region, a1$region)
  expect_identical(x$students_2000_2010, as.integer(a1$students))
  expect_identical(x$doctors_2000_2010, as.integer(a1$doctors))
  expect_identical(x$gps_2000_2010, as.integer(a1$gps))

  a2 <- read_published(dir, "appendix2_pc2_cohort2011_2024.csv")
  expect_identical(x$pc2, as.integer(a2$pc2))
  expect_identical(x$region, a2$region)
  expect_identical(x$students_2011_2024, as.integer(a2$students))
  expect_identical(x$doctors_2011_2024, as.integer(a2$doctors))

  a5 <- read_published(dir, "appendix5_pc2_both_cohorts.csv")
  expect_identical(x$pc2, as.integer(a5$pc2))
  expect_identical(x$region, a5$region)
  expect_identical(x$students_2000_2024, as.integer(a5$students))
  expect_identical(x$doctors_2000_2024, as.integer(a5$doctors))

  a8 <- read_published(dir, "appendix8_pc2_sex_cohort2000_2010.csv")
  expect_identical(setdiff(x$pc2, as.integer(a8$pc2)), blinded_pc2)
  i <- match(as.integer(a8$pc2), x$pc2)
  expect_false(anyNA(i))
  expect_identical(x$region[i], a8$region)
  expect_identical(x$students_m_2000_2010[i], as.integer(a8$students_m))
  expect_identical(x$students_f_2000_2010[i], as.integer(a8$students_f))
  expect_identical(x$doctors_m_2000_2010[i], as.integer(a8$doctors_m))
  expect_identical(x$doctors_f_2000_2010[i], as.integer(a8$doctors_f))

  a10 <- read_published(dir, "appendix10_pc2_inhabitants.csv")
  expect_identical(x$pc2, as.integer(a10$pc2))
  expect_identical(x$region, a10$region)
  expect_identical(x$inhabitants, as.integer(a10$inhabitants))
  expect_identical(x$students_2000_2024, as.integer(a10$students))
  expect_identical(x$doctors_2000_2024, as.integer(a10$doctors))
  expect_identical(x$gps_2000_2010, as.integer(a10$gps))
})

test_that("mulder2025_pc4 equals appendices 4, 6, 7 and 9", {
  dir <- shared_data_path("mulder2025")
  skip_if_not(dir.exists(dir))
  x <- mulder2025_pc4
  published <- list(
    students_2000_2024 = c("appendix6_pc4_students_both_cohorts.csv", "students"),
    doctors_2000_2024 = c("appendix7_pc4_doctors_both_cohorts.csv", "doctors"),
    gps_2000_2010 = c("appendix9_pc4_gps_cohort2000_2010.csv", "gps"),
    students_2011_2024 = c("appendix4_pc4_students_cohort2011_2024_tail.csv",
                           "students")
  )
  all_pc4 <- integer()
  for (col in names(published)) {
    a <- read_published(dir, published[[col]][1])
    pc4 <- as.integer(a$pc4)
    all_pc4 <- c(all_pc4, pc4)
    # NA exactly where the area is not in the appendix
    expect_setequal(x$pc4[!is.na(x[[col]])], pc4)
    expect_identical(x[[col]][match(pc4, x$pc4)],
                     as.integer(a[[published[[col]][2]]]), label = col)
  }
  expect_identical(x$pc4, sort(unique(all_pc4)))
})

test_that("mulder2025_table1 equals Table 1 as printed", {
  dir <- shared_data_path("mulder2025")
  skip_if_not(dir.exists(dir))
  x <- mulder2025_table1
  t1 <- read_published(dir, "table1_demographics.csv")
  expect_identical(x$cohort, t1$cohort)
  expect_identical(x$variable, t1$variable)
  expect_identical(x$category, t1$category)
  for (col in c("students", "doctors", "gps")) {
    expect_identical(x[[paste0(col, "_published")]], t1[[col]], label = col)
    number <- grepl("^[0-9]+$", t1[[col]])
    expected <- rep(NA_integer_, nrow(t1))
    expected[number] <- as.integer(t1[[col]][number])
    expect_identical(x[[col]], expected, label = col)
  }
})
