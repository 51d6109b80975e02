# Documentation of the shipped CBS population per postcode-4 area, built by
# data-raw/pc4_population.R.

#' Inhabitants per postcode-4 area, 1 January 2021 (CBS)
#'
#' The population of every Dutch postcode-4 (PC4) area on 1 January 2021,
#' as published by Statistics Netherlands (CBS). [simulate_cohort()] uses it
#' to place synthetic students within a postcode-2 area in proportion to its
#' population; it also serves as the denominator of per-inhabitant rates.
#'
#' @format A data frame with 4,059 rows, one per PC4 area in increasing
#'   order, and 3 columns:
#' \describe{
#'   \item{`pc4`}{Integer. The four-digit postcode area, 1011 to 9999.}
#'   \item{`pc2`}{Integer. Its postcode-2 area, the first two digits (10 to
#'     99); joins to [mulder2025_pc2].}
#'   \item{`inhabitants`}{Integer. Inhabitants on 1 January 2021. CBS rounds
#'     the PC4 counts to multiples of 5; a few areas have 0.}
#' }
#'
#' @details
#' The table covers all 90 PC2 areas of [mulder2025_pc2], each with
#' inhabited PC4 areas, and sums to 17,472,870 inhabitants. The 15 PC4
#' areas for which CBS publishes no figure (industrial and port areas such
#' as 3197 Botlek) are left out.
#'
#' Mulder (2025) divided by the population of 2024, so summing this table
#' to PC2 gives somewhat smaller figures than `mulder2025_pc2$inhabitants`
#' (the country grew by about 3% between 2021 and 2024).
#'
#' @source Bron: CBS. StatLine table 83503NED, "Bevolking; geslacht,
#'   leeftijd, postcode, 1 januari" (1 January 2021), licensed under
#'   CC BY 4.0 (<https://creativecommons.org/licenses/by/4.0/>). Taken from
#'   the data of the certegis R package
#'   (<https://github.com/certe-medical-epidemiology/certegis>), keeping only
#'   the postcode and its population.
#'
#' @seealso [simulate_cohort()], which samples addresses from it.
#' @docType data
#' @keywords datasets
#' @examples
#' head(pc4_population)
#'
#' # population per PC2 area beside the 2024 figures of Mulder (2025)
#' pc2 <- aggregate(inhabitants ~ pc2, data = pc4_population, FUN = sum)
#' m <- match(pc2$pc2, mulder2025_pc2$pc2)
#' head(cbind(pc2, inhabitants_2024 = mulder2025_pc2$inhabitants[m]))
"pc4_population"
