# Build the shipped dataset pc4_population: inhabitants per postcode-4 area
# on 1 January 2021.
#
# Source: CBS (Statistics Netherlands), StatLine table 83503NED
# ("Bevolking; geslacht, leeftijd, postcode", 1 January 2021), as packaged in
# the `postcodes` object of the certegis R package
# (github.com/certe-medical-epidemiology/certegis, data last changed in
# commit 0438ae5, 2022-06-10) and extracted to
# ../shared/data/nl/pc4_population_2021.csv (see the README there).
# Bron: CBS. Licence of the data: CC BY 4.0.
#
# Run from the package root:
#
#   Rscript data-raw/pc4_population.R
#
# Writes data/pc4_population.rda (xz). Only the postcode and its population
# are kept: place and municipality names are not needed to sample an address
# within a postcode-2 area, and the municipality names are pre-2022.

if (!file.exists("DESCRIPTION") ||
    !identical(unname(read.dcf("DESCRIPTION", "Package")[1, 1]), "spreiding")) {
  stop("run this script from the root of the spreiding package source")
}

# SPREIDING_SHARED_DATA names the shared data directory (or shared/ above
# it), as in tests/testthat/helper-shared.R.
src <- Sys.getenv("SPREIDING_SHARED_DATA", "")
src <- if (nzchar(src)) {
  c(file.path(src, "nl"), file.path(src, "data", "nl"))
} else {
  file.path("..", "shared", "data", "nl")
}
src <- file.path(src, "pc4_population_2021.csv")
src <- src[file.exists(src)][1]
if (is.na(src)) {
  stop("cannot find ../shared/data/nl/pc4_population_2021.csv",
       " (set SPREIDING_SHARED_DATA to the shared data directory)")
}

raw <- utils::read.csv(src, colClasses = "character", na.strings = c("", "NA"),
                       encoding = "UTF-8")
if (!all(c("postcode", "inwoners") %in% names(raw))) {
  stop(src, ": expected the columns postcode and inwoners")
}

postcode <- raw$postcode
if (!all(grepl("^[1-9][0-9]{3}$", postcode))) {
  stop(src, ": postcode is not a four-digit PC4 in row ",
       which(!grepl("^[1-9][0-9]{3}$", postcode))[1])
}
inwoners <- raw$inwoners
bad <- !is.na(inwoners) & !grepl("^[0-9]+$", inwoners)
if (any(bad)) {
  stop(src, ": inwoners is not a count in row ", which(bad)[1])
}
if (anyDuplicated(postcode)) {
  stop(src, ": postcode ", postcode[anyDuplicated(postcode)], " is repeated")
}

# CBS publishes no figure for 15 PC4 areas (industrial and port areas such
# as 3197 Botlek); they cannot be sampled from and are left out.
keep <- !is.na(inwoners)
pc4 <- as.integer(postcode[keep])
pc4_population <- data.frame(
  pc4 = pc4,
  pc2 = pc4 %/% 100L,
  inhabitants = as.integer(inwoners[keep])
)
pc4_population <- pc4_population[order(pc4_population$pc4), ]
rownames(pc4_population) <- NULL

# Every PC2 area of the Mulder (2025) tables must have inhabited PC4 areas,
# or simulate_cohort() could not place a student there.
load(file.path("data", "mulder2025_pc2.rda"))
inhabited <- unique(pc4_population$pc2[pc4_population$inhabitants > 0])
missing <- setdiff(mulder2025_pc2$pc2, inhabited)
if (length(missing) > 0) {
  stop("PC2 areas without inhabited PC4 areas: ",
       paste(missing, collapse = ", "))
}
if (!setequal(unique(pc4_population$pc2), mulder2025_pc2$pc2)) {
  stop("the PC2 areas of the PC4 table differ from those of mulder2025_pc2")
}

save(pc4_population, file = file.path("data", "pc4_population.rda"),
     compress = "xz", version = 2)
message("wrote data/pc4_population.rda: ", nrow(pc4_population), " PC4 areas, ",
        format(sum(pc4_population$inhabitants), big.mark = ","),
        " inhabitants, ",
        file.size(file.path("data", "pc4_population.rda")), " bytes")
