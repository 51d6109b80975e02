# Documentation of the shipped Mulder (2025) tables. The datasets are built
# from the published CSV extracts by data-raw/mulder2025.R.

#' Medical students, doctors and GPs per postcode-2 area (Mulder, 2025)
#'
#' The published postcode-2 (PC2) tables of Mulder (2025): for each of the 90
#' PC2 areas of the Netherlands, the number of first-year medicine students
#' whose home address at age 16 lay in the area, how many of them were
#' registered as doctor and as general practitioner (GP) in the BIG register
#' of 2024, the same for the 2000-2010 cohort by sex, and the area's
#' population in 2024. Counts are exactly as published; the report's
#' percentages and inhabitants-per-person ratios are left out because they
#' follow from these counts.
#'
#' @format A data frame with 90 rows, one per PC2 area 10 to 99 in
#'   increasing order, and 14 columns:
#' \describe{
#'   \item{`pc2`}{Integer. The postcode-2 area: the first two digits of the
#'     four-digit Dutch postcode, 10 to 99.}
#'   \item{`region`}{Character. The report's name for the area, as published
#'     (for example `"Dokkum/Ameland/Schiermonnikoog"`).}
#'   \item{`students_2000_2010`}{Integer. First-year medicine students of the
#'     2000-2010 cohort from the area (appendix 1).}
#'   \item{`doctors_2000_2010`}{Integer. Of those, registered as doctor in the
#'     BIG register of 2024 (appendix 1).}
#'   \item{`gps_2000_2010`}{Integer. Of those, registered as GP (huisarts) in
#'     the specialist register of 2024 (appendix 1).}
#'   \item{`students_2011_2024`}{Integer. First-year medicine students of the
#'     2011-2024 cohort from the area (appendix 2).}
#'   \item{`doctors_2011_2024`}{Integer. Of those, registered as doctor in
#'     2024 (appendix 2). Many of this cohort are still in training.}
#'   \item{`students_2000_2024`}{Integer. Students of both cohorts together
#'     (appendix 5).}
#'   \item{`doctors_2000_2024`}{Integer. Doctors of both cohorts together
#'     (appendix 5).}
#'   \item{`students_m_2000_2010`, `students_f_2000_2010`}{Integer. Students
#'     of the 2000-2010 cohort who are men and women (appendix 8). `NA` for
#'     the blinded areas 87 and 91.}
#'   \item{`doctors_m_2000_2010`, `doctors_f_2000_2010`}{Integer. Doctors of
#'     the 2000-2010 cohort who are men and women (appendix 8). `NA` for the
#'     blinded areas 87 and 91.}
#'   \item{`inhabitants`}{Integer. Population of the area in 2024 (appendix
#'     10).}
#' }
#'
#' @details
#' **Unknown postcode.** Students whose postcode at age 16 is unknown have no
#' PC2, so the PC2 rows sum to less than the cohort totals of
#' [mulder2025_table1]. The 2000-2010 cohort has 24,393 students, of whom
#' 22,491 have a known PC2 (21,045 and 19,580 doctors, 5,504 and 5,173 GPs);
#' the 2011-2024 cohort has 33,565 students, of whom 31,665 have a known
#' PC2.
#'
#' **Both cohorts.** The 2000-2024 columns (appendix 5) equal the sum of the
#' 2000-2010 (appendix 1) and 2011-2024 (appendix 2) columns in every area.
#'
#' **By sex.** Appendix 8 blinds PC2 areas 87 (Bolsward) and 91
#' (Dokkum/Ameland/Schiermonnikoog), so their by-sex counts are `NA`. In every
#' other area men plus women equal the area's 2000-2010 count.
#'
#' **Population.** `inhabitants` is the number of inhabitants in 2024, which
#' the report computed from the public CBS population figures per postcode-4
#' area summed to PC2. Appendix 10 prints it beside the 2000-2024 students
#' and doctors and the 2000-2010 GPs; those repeat `students_2000_2024`,
#' `doctors_2000_2024` and `gps_2000_2010` exactly and are not stored twice.
#'
#' **Disclosure.** CBS forbids publishing any group of fewer than 10
#' persons; the report therefore merged postcode-4 areas to PC2, and every
#' count in this table is at least 10.
#'
#' @source L. Mulder (2025). Regional origin of medical students 2000-2024.
#'   Report of UMC Utrecht to the Dutch Ministry of Health, Welfare and Sport
#'   (VWS), based on CBS microdata (pseudonymised first-year medicine
#'   students, their background and their address history) linked to the BIG
#'   register of 2024. Appendices 1, 2, 5, 8 and 10.
#'
#' @family mulder2025
#' @docType data
#' @keywords datasets
#' @examples
#' head(mulder2025_pc2)
#'
#' # PC2 totals; less than the cohort totals because of unknown postcodes
#' colSums(mulder2025_pc2[c("students_2000_2010", "doctors_2000_2010",
#'                          "gps_2000_2010")])
#'
#' # the blinded areas of appendix 8
#' mulder2025_pc2[is.na(mulder2025_pc2$students_m_2000_2010), c("pc2", "region")]
#'
#' # inhabitants per student of both cohorts, fewest first
#' per_student <- with(mulder2025_pc2, inhabitants / students_2000_2024)
#' head(mulder2025_pc2[order(per_student), c("pc2", "region")])
"mulder2025_pc2"

#' Medical students, doctors and GPs per postcode-4 area (Mulder, 2025)
#'
#' The published postcode-4 (PC4) tables of Mulder (2025), side by side: one
#' row per PC4 area that appears in at least one of appendices 4, 6, 7 and 9.
#' A PC4 area is published only where at least 10 persons came from it (the
#' CBS rule), so a count is `NA` where the area is not in that appendix.
#'
#' @format A data frame with 1,711 rows sorted by `pc4` and 6 columns:
#' \describe{
#'   \item{`pc4`}{Integer. The four-digit postcode area.}
#'   \item{`pc2`}{Integer. Its postcode-2 area, the first two digits; joins to
#'     [mulder2025_pc2].}
#'   \item{`students_2000_2024`}{Integer. First-year medicine students of both
#'     cohorts, 2000-2024 (appendix 6). Published for every row.}
#'   \item{`doctors_2000_2024`}{Integer. Of those, registered as doctor in the
#'     BIG register of 2024 (appendix 7). `NA` where fewer than 10.}
#'   \item{`gps_2000_2010`}{Integer. Students of the 2000-2010 cohort
#'     registered as GP in 2024 (appendix 9). `NA` where fewer than 10; only
#'     22 areas have at least 10.}
#'   \item{`students_2011_2024`}{Integer. First-year students of the
#'     2011-2024 cohort (appendix 4, last page only). Only the 198 areas with
#'     10 or 11 students are present; `NA` means fewer than 10 or an area on
#'     an earlier page of the appendix (11 or more).}
#' }
#'
#' @details
#' For every PC2 area the PC4 rows sum to at most the PC2 count in
#' [mulder2025_pc2]; the remainder lives in PC4 areas with fewer than 10
#' persons. Appendix 4 lists the PC4 areas of the 2011-2024 cohort in
#' decreasing order and only its last page was extracted, so
#' `students_2011_2024` is a tail, not a complete column. Appendix 6 covers
#' every PC4 area of the other appendices, hence `students_2000_2024` is
#' never `NA`.
#'
#' @source L. Mulder (2025). Regional origin of medical students 2000-2024.
#'   Report of UMC Utrecht to the Dutch Ministry of Health, Welfare and Sport
#'   (VWS), based on CBS microdata linked to the BIG register of 2024.
#'   Appendices 4 (last page), 6, 7 and 9.
#'
#' @family mulder2025
#' @docType data
#' @keywords datasets
#' @examples
#' head(mulder2025_pc4)
#'
#' # published areas per count
#' colSums(!is.na(mulder2025_pc4[-(1:2)]))
#'
#' # the areas that produced at least 10 GPs in the 2000-2010 cohort
#' subset(mulder2025_pc4, !is.na(gps_2000_2010), c(pc4, pc2, gps_2000_2010))
#'
#' # share of each PC2 area's students that falls in published PC4 areas
#' s <- tapply(mulder2025_pc4$students_2000_2024, mulder2025_pc4$pc2, sum)
#' m <- match(as.integer(names(s)), mulder2025_pc2$pc2)
#' summary(as.vector(s) / mulder2025_pc2$students_2000_2024[m])
"mulder2025_pc4"

#' Demographics of both cohorts: Table 1 of Mulder (2025)
#'
#' Table 1 of Mulder (2025): first-year medicine students, doctors and GPs of
#' the cohorts 2000-2010 and 2011-2024 by sex, migration background, number
#' of parents with a BIG registration and number of parents who are doctors.
#' The counts are kept together with the cells exactly as printed, so that
#' the suppression markers can be audited.
#'
#' @format A data frame with 42 rows, in the order of the report, and 9
#'   columns:
#' \describe{
#'   \item{`cohort`}{Character. `"2000-2010"` or `"2011-2024"`.}
#'   \item{`variable`}{Character. `"total"`, `"sex"`,
#'     `"migration_background"`, `"parents_big_registered"` or
#'     `"parents_doctor"`.}
#'   \item{`category`}{Character. The category within `variable`: `"total"`;
#'     `"male"`, `"female"`, `"unknown"`; a country or region of origin (e.g.
#'     `"Netherlands"`, `"Turkey"`, `"unknown"`); or the number of parents
#'     `"0"`, `"1"`, `"2"`.}
#'   \item{`students`}{Integer. First-year medicine students.}
#'   \item{`doctors`}{Integer. Of those, registered as doctor in the BIG
#'     register of 2024; `NA` where not published.}
#'   \item{`gps`}{Integer. Of those, registered as GP in 2024; `NA` where not
#'     published.}
#'   \item{`students_published`, `doctors_published`, `gps_published`}{
#'     Character. Each cell exactly as printed: the number as text, `"<10"`
#'     or `"<20"` for a suppressed cell, or `""` for a blank cell.}
#' }
#'
#' @details
#' CBS forbids publishing a group of fewer than 10 persons. Table 1 prints
#' such cells as `"<10"`; in the GP column of the 2011-2024 cohort by
#' migration background one cell (Turkey) is printed as `"<20"` so that the
#' hidden cells cannot be derived from the total. The cells of the
#' `"unknown"` sex and migration-background rows are blank for doctors and
#' GPs.
#'
#' Counting blank cells as zero, every block of categories sums exactly to
#' its cohort total in students, doctors and GPs, with one exception: the
#' GPs of the 2011-2024 cohort by migration background, whose printed cells
#' sum to 565 of 619; the other 54 are in the seven suppressed cells.
#'
#' The totals are 24,393 students, 21,045 doctors and 5,504 GPs (2000-2010)
#' and 33,565, 13,384 and 619 (2011-2024). These include students whose
#' postcode at age 16 is unknown, so they exceed the PC2 sums of
#' [mulder2025_pc2].
#'
#' @source L. Mulder (2025). Regional origin of medical students 2000-2024.
#'   Report of UMC Utrecht to the Dutch Ministry of Health, Welfare and Sport
#'   (VWS), based on CBS microdata linked to the BIG register of 2024.
#'   Table 1.
#'
#' @family mulder2025
#' @docType data
#' @keywords datasets
#' @examples
#' head(mulder2025_table1)
#'
#' # the suppressed cells
#' subset(mulder2025_table1, grepl("^<", gps_published),
#'        c(cohort, variable, category, gps_published))
#'
#' # students per block of categories; each equals its cohort total
#' blocks <- subset(mulder2025_table1, variable != "total")
#' with(blocks, tapply(students, list(variable, cohort), sum))
"mulder2025_table1"
