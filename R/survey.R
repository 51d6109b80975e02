# Multi-answer survey questions: expand_answers() turns a question where a
# respondent may tick several regions into long form for region_table(),
# and simulate_survey() draws a synthetic alumni survey in the shape of the
# Nivel data (Vis et al., 2020). The respondent statistics that count the
# long form (n_respondents, pct_respondents) are built-in kernels in
# src/statistics.c; the seed and argument helpers are shared with
# simulate_cohort() (R/simulate.R).

#' Multi-answer survey questions in long form
#'
#' Turns a question on which a respondent may give several answers (say,
#' every region they work in) into long form: one row per respondent and
#' answer, with the weight `1 / k` for a respondent with `k` answers. That is
#' the shape [region_table()] needs to count, per region, the respondents
#' naming it and their fractional share.
#'
#' @section Weights and respondents without an answer:
#' A respondent with `k >= 1` distinct answers gets `k` rows, one per
#' answer in the order given, each with `weight = 1 / k`, so that every
#' respondent's weights sum to 1. A respondent without an answer (`NULL`,
#' an empty vector, only `NA` or `""`, or only values listed in `none`) is
#' kept, as one row whose answer is `NA` and whose weight is 0. Hence:
#'
#' * `sum(weight)` per region is the fractional number of respondents in
#'   it, and `share()` of that column gives shares that sum to exactly 100
#'   over the regions: the respondents who answered are the denominator,
#'   and the `NA` row adds 0. This is the Nivel correction for alumni who
#'   work in several regions ("a respondent working in three regions counts
#'   for one third in each").
#' * `n_respondents(id)` and `pct_respondents(id)` (see [region_table()])
#'   count every respondent once, the ones without an answer included: the
#'   denominator of `pct_respondents()` is all respondents of the data, so
#'   the percentages of a multi-answer question sum to more than 100, and
#'   the `NA` row gives the percentage without an answer (the factsheet's
#'   1.6% "no preference").
#'
#' Repeated answers of one respondent count once. Answers are not checked
#' against a list of regions: pass `.regions` to [region_table()] to list
#' every region in a fixed order, and regions nobody named with 0. To keep
#' "no preference" apart from no answer at all, leave it out of `none`: it is
#' then an answer of its own, with its own row in the table.
#'
#' A survey with design (non-response) weights per respondent can use them
#' as `.weights` for `n_respondents()` and `pct_respondents()`, which require
#' the same weight on all rows of a respondent; for the fractional count,
#' multiply them with `weight` into a column of its own and `sum()` it.
#'
#' @param data A data frame with one row per respondent.
#' @param id Name of the column that identifies the respondents (no missing
#'   or repeated values).
#' @param answers Name of the column with the answers: a list column, each
#'   element a vector of answers (character, factor, numeric or logical;
#'   `NULL` or empty for none), or a character (or factor) column of answers
#'   separated by `sep`.
#' @param sep `NULL`, or the separator of the answers in a character column
#'   (or in the strings of a list column), such as `";"`. It is matched
#'   literally, and blanks around each answer are dropped. Without `sep`, a
#'   character column holds one answer per respondent, and may not contain
#'   `;`, `|` or `,` (give `sep`, or make a list column with `as.list()`).
#' @param none `NULL`, or values that mean "no answer", such as
#'   `"no preference"`; they are dropped from the answers (a respondent who
#'   gave only these has no answer).
#' @param weight Name of the weight column added to the result.
#' @return A data frame like `data` (the same columns in the same order,
#'   and the class of `data`), with one row per respondent and answer in the
#'   order of `data`. The `answers` column holds a single answer per row
#'   (`NA` for a respondent without an answer), of the type of the answers
#'   (character for a character or factor column). A numeric column
#'   `weight` is added at the end. Row names are `1, 2, ...`.
#' @seealso [region_table()] with `n_respondents()`, `pct_respondents()`,
#'   `sum()`, `share()` and `share_ratio()`; [simulate_survey()] for data to
#'   try it on.
#' @export
#' @examples
#' # three respondents: one region, two regions, no preference
#' d <- data.frame(id = c(1, 2, 3), university = c("UMCU", "UMCG", "UMCU"))
#' d$regions <- list("Utrecht", c("Groningen", "Drenthe"), character(0))
#' expand_answers(d, "id", "regions")
#'
#' # the same from a separated string, with an explicit "no preference"
#' s <- data.frame(id = 1:3,
#'                 regions = c("Utrecht", "Groningen; Drenthe", "none"))
#' expand_answers(s, "id", "regions", sep = ";", none = "none")
#'
#' # where young GPs work (fractional shares, summing to 100) and want to
#' # work (percentage of all respondents, summing to more than 100)
#' sv <- simulate_survey(seed = 1)
#' work <- expand_answers(sv$respondents, "id", "work_regions")
#' pref <- expand_answers(sv$respondents, "id", "preferred_regions")
#' tab <- region_table(work, "work_regions",
#'   alumni = sum(weight),
#'   alumni_share = share(alumni),
#'   ratio = share_ratio(alumni, gp_fte),
#'   .regions = sv$regions[c("region", "name", "gp_fte")]
#' )
#' head(tab)
#' sum(tab$alumni_share)
#'
#' wish <- region_table(pref, "preferred_regions",
#'   pct = pct_respondents(id),
#'   .regions = sv$regions[c("region", "name")]
#' )
#' wish[order(-wish$pct), ][1:5, ]
#' wish[is.na(wish$preferred_regions), ]   # no preference
#' sum(wish$pct)
expand_answers <- function(data, id, answers, sep = NULL, none = NULL,
                           weight = "weight") {
  call <- sys.call()
  check_frame(data, "data", call)
  survey_check_name(id, "id", data, call)
  survey_check_name(answers, "answers", data, call)
  if (identical(id, answers)) {
    stop_spreiding("`id` and `answers` must be different columns.",
                   arg = "answers", call = call)
  }
  if (!is.null(sep) && (!is_string(sep) || !nzchar(sep))) {
    what <- if (is.character(sep) && length(sep) == 1) {
      if (is.na(sep)) "NA" else "an empty string"
    } else {
      sim_describe(sep)
    }
    stop_spreiding(paste0("`sep` must be NULL or a single non-empty string ",
                          "such as `\";\"`, not ", what, "."),
                   arg = "sep", call = call)
  }
  if (!is.null(none) && (!is.atomic(none) || !is.null(dim(none)))) {
    stop_spreiding(paste0("`none` must be NULL or a vector of values that ",
                          "mean no answer, such as `\"no preference\"`, not ",
                          sim_describe(none), "."),
                   arg = "none", call = call)
  }
  if (!is_string(weight) || !nzchar(weight)) {
    stop_spreiding("`weight` must be a single column name.", arg = "weight",
                   call = call)
  }
  if (weight %in% names(data)) {
    stop_spreiding(paste0("`data` already has a column ", backtick(weight),
                          "; choose another name with `weight`."),
                   arg = "weight", call = call)
  }
  survey_check_id(data[[id]], id, call)

  long <- survey_answers(data[[answers]], answers, sep, call)
  n <- nrow(data)
  resp <- long$resp
  value <- long$value
  keep <- !is.na(value)
  if (is.character(value)) keep <- keep & nzchar(value)
  if (length(none) > 0) {
    keep <- keep & !(value %in% (if (is.character(value)) as.character(none)
                                 else none))
  }
  resp <- resp[keep]
  value <- value[keep]
  codes <- match(value, unique(value))
  first <- !duplicated(resp * (max(codes, 0L) + 1) + codes)
  resp <- resp[first]
  value <- value[first]

  k <- tabulate(resp, n)
  silent <- which(k == 0L)
  rows <- c(resp, silent)
  value <- c(value, value[NA_integer_][seq_along(silent)])
  o <- order(rows, method = "radix")
  rows <- rows[o]
  value <- value[o]

  out <- data[rows, , drop = FALSE]
  out[[answers]] <- value
  out[[weight]] <- ifelse(k[rows] > 0L, 1 / k[rows], 0)
  attr(out, "row.names") <- .set_row_names(length(rows))
  out
}

survey_check_name <- function(x, arg, data, call) {
  if (!is_string(x)) {
    stop_spreiding(paste0("`", arg, "` must be the name of a column of ",
                          "`data`, not ", sim_describe(x), "."),
                   arg = arg, call = call)
  }
  if (!x %in% names(data)) {
    stop_spreiding(paste0("`data` has no column ", backtick(x), " (given in `",
                          arg, "`).", did_you_mean(x, names(data))),
                   arg = arg, call = call)
  }
}

survey_check_id <- function(x, name, call) {
  if (!is.atomic(x) || is.null(x) || !is.null(dim(x))) {
    stop_spreiding(paste0("`id` column ", backtick(name), " must be an ",
                          "atomic vector of respondent identifiers, not ",
                          describe(x), "."),
                   arg = "id", call = call)
  }
  if (anyNA(x)) {
    row <- which(is.na(x))[1]
    stop_spreiding(paste0("`id` column ", backtick(name), " must not have ",
                          "missing values; row ", row, " is NA."),
                   arg = "id", row = row, call = call)
  }
  dup <- anyDuplicated(x)
  if (dup > 0) {
    first <- match(x[dup], x)
    stop_spreiding(paste0("`id` column ", backtick(name), " must identify ",
                          "the respondents: rows ", first, " and ", dup,
                          " both have ", format(x[dup]), "."),
                   arg = "id", row = dup, call = call)
  }
}

# The answers as two parallel vectors: the respondent (row of data) and one
# value, before missing, empty and `none` values are dropped.
survey_answers <- function(x, name, sep, call) {
  n <- length(x)
  if (is.factor(x)) x <- as.character(x)
  if (is.list(x) && (!is.object(x) || inherits(x, "AsIs"))) {
    x <- unclass(x)
    ok <- vapply(x, function(v) is.null(v) ||
                   (is.atomic(v) && is.null(dim(v))), logical(1))
    if (!all(ok)) {
      row <- which(!ok)[1]
      stop_spreiding(paste0("Each element of the list column ",
                            backtick(name), " must be a vector of answers ",
                            "(or NULL); row ", row, " is ",
                            describe(x[[row]]), "."),
                     arg = "answers", row = row, call = call)
    }
    fac <- vapply(x, is.factor, logical(1))
    x[fac] <- lapply(x[fac], as.character)
    resp <- rep.int(seq_len(n), lengths(x))
    value <- unlist(x, use.names = FALSE)
    if (is.null(value)) value <- character()
    if (!is.null(sep) && is.character(value)) {
      pieces <- strsplit(value, sep, fixed = TRUE)
      resp <- rep.int(resp, lengths(pieces))
      value <- trimws(unlist(pieces, use.names = FALSE))
    }
    return(list(resp = resp, value = value))
  }
  if (!is.character(x) || !is.null(dim(x))) {
    stop_spreiding(paste0("`answers` column ", backtick(name), " must be a ",
                          "list column or a character column, not ",
                          describe(x), "."),
                   arg = "answers", call = call)
  }
  if (is.null(sep)) {
    bad <- which(grepl("[;|,]", x))
    if (length(bad)) {
      stop_spreiding(paste0("`answers` column ", backtick(name), " looks ",
                            "like several answers in one string (row ",
                            bad[1], ": \"", x[bad[1]], "\"): give their ",
                            "separator in `sep`, such as `sep = \";\"`, or ",
                            "pass single answers as a list column."),
                     arg = "sep", row = bad[1], call = call)
    }
    return(list(resp = seq_len(n), value = trimws(x)))
  }
  pieces <- strsplit(x, sep, fixed = TRUE)
  pieces[lengths(pieces) == 0L] <- list(NA_character_)
  list(resp = rep.int(seq_len(n), lengths(pieces)),
       value = trimws(unlist(pieces, use.names = FALSE)))
}

#' Simulate a synthetic survey of young GPs: where they work and want to work
#'
#' Draws a **synthetic** alumni survey in the shape of the data of the Nivel
#' factsheet "Een nieuwe generatie huisartsen: goed gespreid?" (Vis et al.,
#' 2020): GPs who qualified up to five years earlier, their training
#' university, the AZW labour-market regions they work in and the ones they
#' would like to work in (several answers allowed for both), together with a
#' table of the 28 AZW regions with their GP capacity in FTE and the
#' percentage of GPs expected to leave within five years. It is the data of
#' the examples of [expand_answers()] and the survey statistics of
#' [region_table()].
#'
#' **The data are synthetic.** No row describes a real person, and the
#' capacity and outflow figures are assumptions, not Nivel's. The factsheet
#' publishes few numbers; the generator reproduces those (below) and follows
#' its qualitative findings for the rest. Use the result for examples, tests
#' and teaching, never as a source of facts about regions.
#'
#' @section Published figures reproduced:
#' * 1,104 respondents (the default `n`), trained at the eight university
#'   medical centres (UMCs).
#' * Preferred regions, as a percentage of all respondents: Utrecht 16.3%,
#'   Flevoland 2.4% (the least popular region), Drenthe 7.6%; Midden-Gelderland,
#'   Rijnmond, Amsterdam and Amstelland, Kennemerland en Meerlanden between
#'   10.5% and 14% (set to 14.0, 13.5, 12.5 and 10.5); every other region
#'   between 2.4% and 10.5%. 1.6% of the respondents have no preference.
#'   These are **exact**: region `r` is named by `round(n * p_r / 100)`
#'   respondents (rounded half away from zero) and `round(n * 0.016)` have no
#'   preference, so at `n = 1104` the percentages round to the published
#'   ones. (Only for very small `n`, where the rounded counts leave some
#'   respondent without any region, are a few regions added at random.)
#' * The qualitative findings, as targets: alumni over-represented against
#'   GP capacity (ratio above 1) in Utrecht, Amsterdam, Gooi- en Vechtstreek,
#'   Rijnmond, IJssel-Vecht (Regio Zwolle), Midden-Brabant,
#'   Noordoost-Brabant and Noord- en Midden-Limburg; under-represented in
#'   Twente, Flevoland, Noordwest-Veluwe en Stedendriehoek, Haaglanden,
#'   West-Brabant and Zuidoost-Brabant; about 1 in Groningen and Rijnstreek.
#'   A large capacity share in Haaglanden. Low preference and high outflow
#'   (unfavourable) in Zeeland (the worst), Achterhoek, Drenthe, Friesland,
#'   Drechtsteden (Zuid-Holland Zuid), Flevoland, IJssel-Vecht and
#'   Midden-Brabant; high preference and low outflow (favourable) in Utrecht
#'   (the best), Midden-Gelderland, Amsterdam and Rijnmond. With the mean of
#'   each axis as the cut, these regions fall in these quadrants.
#' * Most alumni work in or near the region of their training university,
#'   including the branches in Zwolle (UMCG), Enschede (VUmc) and Eindhoven
#'   (Maastricht UMC+ and Radboudumc).
#'
#' @section Assumptions:
#' * **Universities**: AMC 13%, VUmc 14%, LUMC 11%, Erasmus MC 13%, UMC
#'   Utrecht 14%, Radboudumc 13%, UMCG 12%, Maastricht UMC+ 10% of the
#'   respondents (counts rounded by largest remainder), in random order.
#' * **GP capacity** (`gp_fte`): the region's inhabitants (CBS, 1 January
#'   2021) divided by an assumed number of inhabitants per FTE: 2,000 in
#'   Utrecht, Amsterdam and Rijnmond, 1,850 in Haaglanden, 2,250 in the
#'   regions the factsheet names as having a small capacity share
#'   (Achterhoek, IJssel-Vecht, Noord- en Midden-Limburg, Zeeland,
#'   Midden-Brabant, Amersfoort, Gooi- en Vechtstreek, Zaanstreek en
#'   Waterland, Drechtsteden), 2,200 in Flevoland, and 2,050 or 2,100
#'   elsewhere (about 8,400 FTE in all).
#' * **Outflow** (`outflow_pct`): 17% (Utrecht) to 32% (Zeeland), 26% to
#'   28% in the other unfavourable regions, 19% in the other favourable
#'   ones, 20.3% to 24% elsewhere (spread to one decimal, so that regions
#'   do not sit on top of each other in the quadrant figure).
#' * **Work regions**: a target fractional share per region, its capacity
#'   share times an assumed ratio (1.60 Utrecht, 1.20 to 1.40 for the other
#'   over-represented regions, 0.50 Flevoland, 0.60 to 0.75 for the other
#'   under-represented ones, 0.75 to 1.05 elsewhere), normalised to sum
#'   to one. A respondent works in 1.6 regions on average: region `r` is
#'   named by `1.6 * n * s_r` respondents (largest remainder). The
#'   fractional shares then come out close to, not exactly at, the targets,
#'   since the number of regions per respondent differs between regions: in
#'   large samples the ratios are within about 15% of the assumed ones
#'   (Utrecht about 1.8).
#' * **Affinity to the training university**: for each university a
#'   propensity per region, built from a weight of 6 for its own regions
#'   (city and branch), 2 for the neighbouring regions and 0.25 elsewhere
#'   (work), or 2.5, 1.5 and 1 (preference, which is less local), adjusted by
#'   iterative proportional fitting so that the regions' totals are the
#'   targets and every university has the same expected number of answers
#'   per respondent.
#' * **Drawing the answers**: for each region, its number of respondents is
#'   drawn without replacement among the eligible respondents (everyone for
#'   work; those with a preference for preference) with probability
#'   proportional to their university's propensity (sequential sampling by
#'   exponential keys). A respondent who ends up with no region takes one
#'   from a respondent with two or more (of the same university where
#'   possible), which keeps every region's count. Work and preference are
#'   independent given the university.
#'
#' @section Calibration per region:
#' The targets per AZW region: the inhabitants per GP FTE and the ratio of
#' alumni share to capacity share (both assumed), the percentage of
#' respondents preferring the region (exact in the data; published, within
#' the published range, or assumed) and the expected outflow within five
#' years (assumed). "Factsheet name" is the older name the factsheet uses.
#'
#' | code | AZW name (2023) | factsheet name | inh. per FTE | ratio | preferred % | outflow % |
#' |---|---|---|---|---|---|---|
#' | RA0101 | Groningen |  | 2,050 | 1.00 | 8.5 (assumed) | 24 |
#' | RA0102 | Drenthe |  | 2,100 | 0.90 | 7.6 (published) | 27 |
#' | RA0103 | Friesland |  | 2,100 | 0.85 | 5.0 (assumed) | 27 |
#' | RA0204 | Regio Zwolle | IJssel-Vecht | 2,250 | 1.25 | 5.5 (assumed) | 26 |
#' | RA0205 | Twente |  | 2,100 | 0.60 | 6.5 (assumed) | 22.4 |
#' | RA0206 | Stedendriehoek & Noord-Veluwe | Noordwest-Veluwe en Stedendriehoek | 2,100 | 0.60 | 8.0 (assumed) | 21.6 |
#' | RA0207 | Achterhoek |  | 2,250 | 0.80 | 3.5 (assumed) | 28 |
#' | RA0308 | Zuid-West Gelderland |  | 2,100 | 0.90 | 7.5 (assumed) | 22.9 |
#' | RA0309 | Midden-Gelderland |  | 2,050 | 1.05 | 14.0 (in published range) | 19 |
#' | RA0410 | Flevoland |  | 2,200 | 0.50 | 2.4 (published) | 26 |
#' | RA0511 | Gooi- en Vechtstreek |  | 2,250 | 1.25 | 8.0 (assumed) | 20.8 |
#' | RA0512 | Utrecht en omgeving | Utrecht | 2,000 | 1.60 | 16.3 (published) | 17 |
#' | RA0513 | Amersfoort en omgeving |  | 2,250 | 0.85 | 10.0 (assumed) | 21.3 |
#' | RA0614 | Noord-Holland Noord |  | 2,100 | 0.90 | 6.0 (assumed) | 22.7 |
#' | RA0615 | Zaanstreek en Waterland |  | 2,250 | 0.85 | 4.5 (assumed) | 21.9 |
#' | RA0616 | Amsterdam |  | 2,000 | 1.35 | 12.5 (in published range) | 19 |
#' | RA0717 | Amstelland, Kennemerland en Meerlanden |  | 2,050 | 1.05 | 10.5 (in published range) | 21 |
#' | RA0818 | Rijn Gouwe | Rijnstreek | 2,050 | 1.00 | 10.0 (assumed) | 20.6 |
#' | RA0919 | Rijnmond |  | 2,000 | 1.40 | 13.5 (in published range) | 19 |
#' | RA1020 | Haaglanden en Nieuwe Waterweg Noord | Haaglanden | 1,850 | 0.70 | 10.0 (assumed) | 22.1 |
#' | RA1121 | Zuid-Holland Zuid | Drechtsteden | 2,250 | 0.90 | 4.0 (assumed) | 27 |
#' | RA1222 | Zeeland |  | 2,250 | 0.75 | 3.0 (assumed) | 32 |
#' | RA1323 | West-Brabant |  | 2,100 | 0.70 | 6.0 (assumed) | 21.1 |
#' | RA1324 | Midden-Brabant |  | 2,250 | 1.20 | 5.0 (assumed) | 26 |
#' | RA1325 | Noordoost-Brabant |  | 2,100 | 1.20 | 8.5 (assumed) | 20.3 |
#' | RA1326 | Zuidoost-Brabant |  | 2,100 | 0.75 | 9.0 (assumed) | 21.8 |
#' | RA1427 | Noord- en Midden-Limburg |  | 2,250 | 1.20 | 5.5 (assumed) | 22.2 |
#' | RA1428 | Zuid-Limburg |  | 2,050 | 1.05 | 7.0 (assumed) | 22.6 |
#'
#' @param n Number of respondents, a whole number from 1 to 1,000,000. The
#'   default is the 1,104 respondents of the survey.
#' @param seed `NULL` to draw from the current random number stream, or a
#'   whole number. With a seed the result is the same on every run and
#'   platform (the Mersenne-Twister generator with R's default sampling is
#'   used), and the caller's random number state is left untouched.
#'
#' @return A list of two data frames:
#' \describe{
#'   \item{`respondents`}{One row per respondent: `id` (integer, `1..n`),
#'     `university` (character: `"AMC"`, `"VUmc"`, `"LUMC"`,
#'     `"Erasmus MC"`, `"UMC Utrecht"`, `"Radboudumc"`, `"UMCG"` or
#'     `"Maastricht UMC+"`), `work_regions` (list column: the AZW codes of
#'     the regions the respondent works in, at least one) and
#'     `preferred_regions` (list column: the AZW codes of the regions the
#'     respondent would like to work in, `character(0)` for no preference).
#'     Codes within an element are in code order.}
#'   \item{`regions`}{The 28 AZW regions in code order, the same for every
#'     seed and `n`: `region` (character, `"RA0101"` to `"RA1428"`), `name`
#'     (the 2023 name), `inhabitants` (integer, CBS population on 1 January
#'     2021), `gp_fte` (synthetic GP capacity in FTE, one decimal) and
#'     `outflow_pct` (synthetic percentage of GPs expected to leave within
#'     five years).}
#' }
#'
#' @section Region names:
#' The factsheet uses some older AZW names (the column "factsheet name"
#' above; matched by name, an inference rather than an official table). The
#' codes and 2023 names are those of the AZW (RegioPlus) layer shipped in
#' `system.file("extdata", "azw.gpkg", package = "spreiding")`, so
#' `simulate_survey()$regions` joins to it by `region`.
#'
#' @source E. Vis, R. Batenburg, M. Bosmans, J. Keuper, R. Kenens (2020).
#'   *Een nieuwe generatie huisartsen: goed gespreid?* Factsheet, Nivel,
#'   Utrecht
#'   (<https://www.nivel.nl/nl/publicatie/een-nieuwe-generatie-huisartsen-goed-gespreid>):
#'   the survey of 1,104 GPs qualified up to five years earlier (2019, 37%
#'   response, commissioned by SBOH), the published percentages and
#'   findings above. Inhabitants: Bron: CBS, population per postcode-4 area
#'   on 1 January 2021 ([pc4_population]), summed per AZW region (CBS/PDOK
#'   AZW regions 2023), CC BY 4.0.
#' @seealso [expand_answers()] and [region_table()] to tabulate it;
#'   [simulate_cohort()] for the other synthetic generator.
#' @export
#' @examples
#' sv <- simulate_survey(seed = 1)
#' head(sv$respondents)
#' sv$respondents$work_regions[1:3]
#' head(sv$regions)
#'
#' # preferred regions: percentage of all 1,104 respondents
#' pref <- expand_answers(sv$respondents, "id", "preferred_regions")
#' wish <- region_table(pref, "preferred_regions",
#'   respondents = n_respondents(id),
#'   pct = pct_respondents(id),
#'   .regions = sv$regions[c("region", "name", "outflow_pct")]
#' )
#' subset(wish, name %in% c("Utrecht en omgeving", "Flevoland", "Drenthe"))
#'
#' # current work regions: fractional shares against GP capacity
#' work <- expand_answers(sv$respondents, "id", "work_regions")
#' tab <- region_table(work, "work_regions",
#'   alumni = sum(weight),
#'   alumni_share = share(alumni),
#'   fte_share = share(gp_fte),
#'   ratio = share_ratio(alumni, gp_fte),
#'   .regions = sv$regions[c("region", "name", "gp_fte")]
#' )
#' top <- order(-tab$ratio)[1:5]
#' tab[top, c("name", "alumni_share", "fte_share", "ratio")]
#'
#' # per training university: where do UMCG alumni work?
#' umcg <- region_table(work[work$university == "UMCG", ], "work_regions",
#'   alumni = sum(weight), alumni_share = share(alumni),
#'   .regions = sv$regions[c("region", "name")]
#' )
#' head(umcg[order(-umcg$alumni_share), ], 4)
#'
#' # or every university at once
#' by_umc <- region_table(work, c("work_regions", "university"),
#'   respondents = n_respondents(id))
#' head(by_umc)
simulate_survey <- function(n = 1104, seed = NULL) {
  call <- sys.call()
  survey_check_n(n, call)
  sim_check_seed(seed, call)
  if (!is.null(seed)) {
    restore <- sim_local_seed(seed)
    on.exit(restore(), add = TRUE)
  }
  n <- as.integer(n)
  cal <- sim_survey_calibration
  unis <- sim_survey_universities
  nr <- nrow(cal)

  share_u <- vapply(unis, `[[`, numeric(1), "share")
  n_u <- sim_largest_remainder(n * share_u, n)
  uni <- rep.int(seq_along(unis), n_u)[sample.int(n)]

  # work: fractional-share targets, kbar regions per respondent
  fte <- cal$inhabitants / cal$inhabitants_per_fte
  target <- fte / sum(fte) * cal$ratio
  target <- target / sum(target)
  kbar <- sim_survey_par$work_regions
  prop_work <- sim_survey_propensity(unis, cal$region, target, share_u,
                                     sim_survey_par$work_affinity)
  count_work <- sim_largest_remainder(n * kbar * target,
                                      as.integer(round_half_away(n * kbar)))
  work <- sim_survey_draw(uni, count_work, prop_work)

  # preference: exact counts of the published percentages
  n_none <- as.integer(round_half_away(n * sim_survey_par$no_preference))
  none <- logical(n)
  none[sample.int(n, n_none)] <- TRUE
  p <- cal$preferred_pct / 100
  prop_pref <- sim_survey_propensity(unis, cal$region, p, share_u,
                                     sim_survey_par$preference_affinity)
  count_pref <- as.integer(round_half_away(n * p))
  pref_sets <- sim_survey_draw(uni[!none], count_pref, prop_pref)

  codes <- cal$region
  pref <- rep(list(character()), n)
  pref[!none] <- sim_survey_lists(pref_sets, codes)
  respondents <- data.frame(id = seq_len(n),
                            university = names(unis)[uni],
                            stringsAsFactors = FALSE)
  respondents$work_regions <- sim_survey_lists(work, codes)
  respondents$preferred_regions <- pref

  regions <- data.frame(
    region = cal$region,
    name = cal$name,
    inhabitants = cal$inhabitants,
    gp_fte = round_half_away(fte, 1),
    outflow_pct = cal$outflow_pct,
    stringsAsFactors = FALSE
  )
  list(respondents = respondents, regions = regions)
}

# The calibration table: the 28 AZW regions (code and 2023 name), their
# population (CBS, 1 January 2021: PC4 population summed per AZW region),
# and the assumed inhabitants per GP FTE, ratio of alumni share to capacity
# share, percentage preferring the region (Utrecht, Flevoland and Drenthe
# published; Midden-Gelderland, Rijnmond, Amsterdam and Amstelland,
# Kennemerland en Meerlanden within the published 10.5-14; the rest assumed
# within 2.4-10.5) and expected outflow within five years.
sim_survey_calibration <- utils::read.csv(
  stringsAsFactors = FALSE, strip.white = TRUE, text = "
region, inhabitants, inhabitants_per_fte, ratio, preferred_pct, outflow_pct
RA0101,  586920, 2050, 1.00,  8.5, 24
RA0102,  494705, 2100, 0.90,  7.6, 27
RA0103,  651430, 2100, 0.85,  5.0, 27
RA0204,  433440, 2250, 1.25,  5.5, 26
RA0205,  631655, 2100, 0.60,  6.5, 22.4
RA0206,  633260, 2100, 0.60,  8.0, 21.6
RA0207,  299300, 2250, 0.80,  3.5, 28
RA0308,  563185, 2100, 0.90,  7.5, 22.9
RA0309,  647495, 2050, 1.05, 14.0, 19
RA0410,  428210, 2200, 0.50,  2.4, 26
RA0511,  238660, 2250, 1.25,  8.0, 20.8
RA0512, 1088475, 2000, 1.60, 16.3, 17
RA0513,  325325, 2250, 0.85, 10.0, 21.3
RA0614,  629715, 2100, 0.90,  6.0, 22.7
RA0615,  339840, 2250, 0.85,  4.5, 21.9
RA0616,  924295, 2000, 1.35, 12.5, 19
RA0717,  754950, 2050, 1.05, 10.5, 21
RA0818,  828085, 2050, 1.00, 10.0, 20.6
RA0919, 1217045, 2000, 1.40, 13.5, 19
RA1020, 1308125, 1850, 0.70, 10.0, 22.1
RA1121,  373720, 2250, 0.90,  4.0, 27
RA1222,  385390, 2250, 0.75,  3.0, 32
RA1323,  710665, 2100, 0.70,  6.0, 21.1
RA1324,  464295, 2250, 1.20,  5.0, 26
RA1325,  614470, 2100, 1.20,  8.5, 20.3
RA1326,  784380, 2100, 0.75,  9.0, 21.8
RA1427,  521590, 2250, 1.20,  5.5, 22.2
RA1428,  594245, 2050, 1.05,  7.0, 22.6
")
sim_survey_calibration$inhabitants <-
  as.integer(sim_survey_calibration$inhabitants)
sim_survey_calibration$name <- c(
  "Groningen", "Drenthe", "Friesland", "Regio Zwolle", "Twente",
  "Stedendriehoek & Noord-Veluwe", "Achterhoek", "Zuid-West Gelderland",
  "Midden-Gelderland", "Flevoland", "Gooi- en Vechtstreek",
  "Utrecht en omgeving", "Amersfoort en omgeving", "Noord-Holland Noord",
  "Zaanstreek en Waterland", "Amsterdam",
  "Amstelland, Kennemerland en Meerlanden", "Rijn Gouwe", "Rijnmond",
  "Haaglanden en Nieuwe Waterweg Noord", "Zuid-Holland Zuid", "Zeeland",
  "West-Brabant", "Midden-Brabant", "Noordoost-Brabant", "Zuidoost-Brabant",
  "Noord- en Midden-Limburg", "Zuid-Limburg"
)

# The training universities: share of the respondents, their own regions
# (city and branch) and neighbouring regions.
sim_survey_universities <- list(
  "AMC" = list(share = 0.13, home = "RA0616",
               near = c("RA0717", "RA0615", "RA0614", "RA0511", "RA0410")),
  "VUmc" = list(share = 0.14, home = c("RA0616", "RA0205"),
                near = c("RA0615", "RA0614", "RA0717", "RA0511", "RA0410")),
  "LUMC" = list(share = 0.11, home = c("RA0818", "RA1020"),
                near = c("RA0717", "RA0919")),
  "Erasmus MC" = list(share = 0.13, home = "RA0919",
                      near = c("RA1121", "RA1020", "RA1323", "RA1222")),
  "UMC Utrecht" = list(share = 0.14, home = "RA0512",
                       near = c("RA0513", "RA0511", "RA0308", "RA0410")),
  "Radboudumc" = list(share = 0.13, home = c("RA0309", "RA1326"),
                      near = c("RA1325", "RA0308", "RA0207", "RA0206")),
  "UMCG" = list(share = 0.12, home = c("RA0101", "RA0204"),
                near = c("RA0102", "RA0103")),
  "Maastricht UMC+" = list(share = 0.10, home = c("RA1428", "RA1326"),
                           near = c("RA1427", "RA1324"))
)

sim_survey_par <- list(
  work_regions = 1.6,
  no_preference = 0.016,
  work_affinity = c(home = 6, near = 2, other = 0.25),
  preference_affinity = c(home = 2.5, near = 1.5, other = 1)
)

survey_check_n <- function(n, call) {
  if (!is.numeric(n) || length(n) != 1 || is.na(n) || !is.finite(n) ||
      n != trunc(n) || n < 1 || n > 1e6) {
    what <- if (is.numeric(n) && length(n) == 1) format(n) else sim_describe(n)
    stop_spreiding(paste0("`n` must be a whole number from 1 to 1000000, ",
                          "not ", what, "."), arg = "n", call = call)
  }
}

# Propensity per university (rows) and region (columns): the affinity
# weights, fitted by iterative proportional fitting to column totals
# `target` (the regions) and row totals proportional to the universities'
# shares, divided by the shares (so per respondent).
sim_survey_propensity <- function(unis, codes, target, share, affinity) {
  seed <- t(vapply(unis, function(u) {
    ifelse(codes %in% u$home, affinity[["home"]],
           ifelse(codes %in% u$near, affinity[["near"]], affinity[["other"]]))
  }, numeric(length(codes))))
  rows <- share / sum(share) * sum(target)
  m <- seed
  for (i in seq_len(500)) {
    m <- m * (rows / rowSums(m))
    m <- sweep(m, 2, target / colSums(m), `*`)
    if (max(abs(rowSums(m) - rows)) < 1e-12) break
  }
  m / share
}

# Answer sets: a logical matrix (respondent x region) where region r is
# named by exactly count[r] of the respondents (at most all of them), drawn
# without replacement with probability proportional to prop[uni, r]
# (exponential keys: the count smallest of Exp(1) / weight). Respondents
# left without a region each take one from a respondent with two or more,
# of the same university first; any still without one (tiny n) get one
# region drawn with the same weights.
sim_survey_draw <- function(uni, count, prop) {
  m <- length(uni)
  nr <- ncol(prop)
  a <- matrix(FALSE, m, nr)
  if (m == 0) return(a)
  for (r in seq_len(nr)) {
    k <- min(count[r], m)
    if (k == 0) next
    key <- stats::rexp(m) / prop[uni, r]
    a[order(key, method = "radix")[seq_len(k)], r] <- TRUE
  }
  size <- rowSums(a)
  orphan <- which(size == 0)
  if (length(orphan) == 0) return(a)
  donor <- which(size >= 2)
  donor <- donor[sample.int(length(donor))]
  orphan <- orphan[sample.int(length(orphan))]
  # pair orphans with donors: same university first, then any
  pair_o <- pair_d <- integer()
  for (u in unique(uni[orphan])) {
    o <- orphan[uni[orphan] == u]
    d <- donor[uni[donor] == u]
    k <- min(length(o), length(d))
    pair_o <- c(pair_o, o[seq_len(k)])
    pair_d <- c(pair_d, d[seq_len(k)])
  }
  o <- setdiff(orphan, pair_o)
  d <- setdiff(donor, pair_d)
  k <- min(length(o), length(d))
  pair_o <- c(pair_o, o[seq_len(k)])
  pair_d <- c(pair_d, d[seq_len(k)])
  if (length(pair_o) > 0) {
    pick <- matrix(stats::runif(length(pair_d) * nr), ncol = nr) *
      a[pair_d, , drop = FALSE]
    r <- max.col(pick, ties.method = "first")
    a[cbind(pair_d, r)] <- FALSE
    a[cbind(pair_o, r)] <- TRUE
  }
  rest <- setdiff(orphan, pair_o)
  if (length(rest) > 0) {
    key <- matrix(stats::rexp(length(rest) * nr), ncol = nr) /
      prop[uni[rest], , drop = FALSE]
    a[cbind(rest, max.col(-key, ties.method = "first"))] <- TRUE
  }
  a
}

# One character vector of region codes per row of the answer matrix.
sim_survey_lists <- function(a, codes) {
  m <- nrow(a)
  nr <- ncol(a)
  idx <- which(t(a)) - 1L
  out <- split(codes[idx %% nr + 1L], factor(idx %/% nr + 1L,
                                               levels = seq_len(m)))
  unname(out)
}
