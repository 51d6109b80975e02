# One valid call per exported function, for the fuzz driver to mutate.
# fuzz_context() builds the shared inputs once; fuzz_cases(ctx) returns, per
# function, a maker of a valid argument list, the names of its arguments
# that take expressions (NSE), and odd expressions for those.

fuzz_context <- function(dir) {
  ns <- asNamespace("spreiding")
  sim <- spreiding::simulate_cohort("2000-2010", scale = 0.005, seed = 11)
  keep <- seq_len(min(60L, nrow(sim$students)))
  sim$students <- sim$students[keep, ]
  ids <- sim$students$RINPERSOON
  sim$addresses <- sim$addresses[sim$addresses$RINPERSOON %in% ids, ]
  sim$register <- sim$register[sim$register$RINPERSOON %in% ids, ]
  linked <- spreiding::link_cohort(sim$students, sim$addresses, sim$register)
  linked <- linked[!is.na(linked$pc2), ]
  sv <- spreiding::simulate_survey(n = 25, seed = 3)
  pc2_file <- system.file("extdata", "pc2.gpkg", package = "spreiding")
  pc2 <- spreiding::read_regions(pc2_file, id = "pc2")
  pc2_small <- if (requireNamespace("sf", quietly = TRUE)) {
    pc2[pc2$pc2 %in% c(10, 11, 12, 13), ]
  } else {
    pc2
  }
  idx <- spreiding::region_index(pc2_small)
  cells <- data.frame(
    pc2 = c("10", "10", "11", "11", "12", "12"),
    sex = c("f", "m", "f", "m", "f", "m"),
    students = c(25, 14, 3, 19, 40, 31),
    doctors = c(20, 10, 2, 15, 30, 25)
  )
  disclosed <- spreiding::disclose(cells, c("students", "doctors"),
                                   audit = FALSE)
  list(
    sim = sim, linked = linked, survey = sv, pc2 = pc2,
    pc2_small = pc2_small, pc2_file = pc2_file, index = idx, cells = cells,
    disclosed = disclosed,
    files = fuzz_geometry_files(file.path(dir, "geometry")),
    layers = fuzz_sf_layers(),
    dir = dir
  )
}

fuzz_regions_frame <- function() {
  data.frame(
    region = c("Utrecht", "Zeeland", "Drenthe", "Amsterdam"),
    pref_pct = c(16.3, 3.1, 7.6, 14.0),
    outflow_pct = c(18, 31, 27, 20),
    inhabitants = c(1360000, 385000, 494000, 1200000),
    fte = c(700, 105, 160, 800),
    high_need = c(FALSE, TRUE, TRUE, FALSE)
  )
}

fuzz_cases <- function(ctx) {
  villages <- data.frame(x = c(150000, 156000, 180000), y = 450000,
                         population = c(1000, 2000, 500),
                         region = c("west", "west", "east"))
  practices <- data.frame(x = c(150000, 165000), y = 450000, fte = c(2, 1))
  pc4 <- data.frame(pc4 = c("1011", "1012", "1013", "1101", "1102"),
                    pc2 = c("10", "10", "10", "11", "11"),
                    students = c(25, 4, 3, 30, 12))
  audit_tab <- data.frame(area = c("a", "b", "c", "all"),
                          n = c("12", "<10", "", "30"))
  persons <- data.frame(id = 1:3,
                        birth_date = as.Date(c("1990-05-01", "1992-02-29", NA)))
  addresses <- data.frame(
    id = c(1, 1, 2, 2),
    start = as.Date(c("1990-05-01", "2004-01-01", "1992-02-29", "2010-06-01")),
    end = as.Date(c("2004-01-01", NA, "2008-02-28", NA)),
    postcode = c("3511AB", "9711CD", "1012JS", "4331AA")
  )
  register <- data.frame(
    id = c(1, 1, 2, 3),
    type = c("arts", "huisarts", "arts", "tandarts"),
    date = as.Date(c("2008-07-01", "2012-09-01", "2010-01-15", "2009-01-01"))
  )
  answers <- data.frame(id = c(1, 2, 3), university = c("UMCU", "UMCG", "UMCU"))
  answers$regions <- list("Utrecht", c("Groningen", "Drenthe"), character(0))
  applicants <- spreiding::simulate_applicants(places = 20, seed = 2)
  applicants$region_class[1:3] <- "shortage"
  places <- data.frame(x = c(121000, 136500, 155000, 0),
                       y = c(487000, 455500, 463000, 0))
  rates <- data.frame(region = c("North", "East", "South"),
                      pct = c(75, 58, 75), lo = c(60, 45, 64),
                      hi = c(86, 70, 83), sex = c("f", "m", "f"))
  geo_odd <- c(as.list(ctx$files), ctx$layers)
  stat_odd <- list(quote(count()), quote(sum(sex)), quote(rate(pc2)),
                   quote(mean(nonexistent)), quote(nosuchstat(pc2)),
                   quote(ratio(students, students)), quote(1),
                   quote(sum(became_doctor, became_gp)),
                   quote(rate_ci(became_doctor, level = 2)),
                   quote(rate_ci(became_doctor, level = NA)),
                   quote(share(doctor_date)), quote(pct_respondents(pc4)),
                   quote(n_respondents()), quote(sum("pc2")),
                   quote(x + y), quote(function(x) x),
                   quote(ratio(pc2, 0, scale = Inf)))
  cls_odd <- list(quote(quadrant(pref_pct)), quote(quadrant(region, fte)),
                  quote(thresholds(fte, cuts = c(3, 1))),
                  quote(thresholds(fte, cuts = NA)),
                  quote(coverage_bands(fte, target = -1)),
                  quote(coverage_bands(fte, target = 0)),
                  quote(nosuch(fte)), quote(quadrant(fte, fte, x_cut = "x")),
                  quote(quadrant(fte, fte, weights = region)),
                  quote(thresholds(inhabitants / 0, cuts = 1)),
                  quote(1), quote(quadrant(fte, nonexistent)))
  list(
    accessibility_2sfca = list(
      args = function() list(demand = villages, supply = practices,
                             max_dist = 10000, capacity = "fte",
                             decay = sample(c("step", "gaussian", "linear",
                                              "exponential"), 1),
                             method = sample(c("2sfca", "e2sfca", "bfca"), 1))),
    aggregate_small = list(
      args = function() list(table = pc4, hierarchy = pc4 ~ pc2,
                             counts = "students")),
    as_regions = list(
      args = function() list(x = ctx$layers$squares, id = "id"),
      odd = list(x = ctx$layers)),
    audit_disclosure = list(
      args = function() list(published = audit_tab,
                             hierarchy = data.frame(relation = 1, total = 4,
                                                    part = 1:3),
                             counts = "n")),
    c_api_version = list(args = function() list()),
    classifiers = list(args = function() list()),
    classify = list(
      args = function() list(table = fuzz_regions_frame(),
                             position = quote(quadrant(pref_pct, outflow_pct)),
                             cover = quote(coverage_bands(fte, target = inhabitants / 1671))),
      nse = c("position", "cover"), nse_odd = cls_odd),
    coverage_bands = list(
      args = function() list(actual = c(60, 75, 100, 110, 130, NA),
                             target = 100)),
    demo = list(
      args = function() list(dir = file.path(ctx$dir, "demo"), scale = 0.05,
                             seed = 1),
      fixed = "dir", # files go to the run's temporary directory only
      weight = 0.02),
    disclose = list(
      args = function() list(table = ctx$cells, counts = "students",
                             audit = FALSE)),
    disclosure_rule = list(
      args = function() list(.name = "min_count", n = 5)),
    disclosure_rules = list(args = function() list()),
    dissolve_regions = list(
      args = function() list(regions = ctx$pc2_small,
                             by = ctx$pc2_small$pc2 %/% 2),
      odd = list(regions = geo_odd)),
    dominance = list(args = function() list(n = 1, k = 80, top = "top")),
    expand_answers = list(
      args = function() list(data = answers, id = "id", answers = "regions")),
    gdal_version = list(args = function() list()),
    link_cohort = list(
      args = function() list(students = ctx$sim$students,
                             addresses = ctx$sim$addresses,
                             register = ctx$sim$register)),
    link_register = list(
      args = function() list(persons = data.frame(id = 1:3),
                             register = register)),
    linkage_report = list(args = function() list(x = ctx$linked)),
    locate_points = list(
      args = function() list(points = places,
                             regions = if (stats::runif(1) < 0.5) ctx$index
                                       else ctx$pc2_small),
      odd = list(regions = geo_odd)),
    map_regions = list(
      args = function() list(table = data.frame(pc2 = c(10, 11, 12, 13),
                                                n = c(5, 10, 20, NA)),
                             regions = ctx$pc2_small, fill = quote(n)),
      nse = "fill", nse_odd = list(quote(pc2), quote(nonexistent), quote(1),
                                   quote(n + 1)),
      weight = 0.3),
    min_count = list(args = function() list(n = 10)),
    origin_at_age = list(
      args = function() list(persons = persons, addresses = addresses,
                             age = 16,
                             gap = sample(c("none", "before", "after",
                                            "nearest"), 1))),
    plot_quadrant = list(
      args = function() list(table = fuzz_regions_frame(), x = quote(pref_pct),
                             y = quote(outflow_pct), label = quote(region)),
      nse = c("x", "y", "label"),
      nse_odd = list(quote(region), quote(nonexistent), quote(high_need),
                     quote(1), quote(fte / 0)),
      weight = 0.3),
    plot_rates = list(
      args = function() list(table = rates, rate = quote(pct),
                             lower = quote(lo), upper = quote(hi)),
      nse = c("rate", "lower", "upper"),
      nse_odd = list(quote(region), quote(nonexistent), quote(1),
                     quote(pct * Inf)),
      weight = 0.3),
    publish = list(
      args = function() list(x = ctx$disclosed,
                             style = sample(c("interval", "blank", "symbol"), 1))),
    quadrant = list(
      args = function() list(x = c(16.3, 3.1, 7.6, 12.0, NA),
                             y = c(18, 31, 27, 28, 25))),
    read_regions = list(
      args = function() list(dsn = ctx$pc2_file, id = "pc2"),
      odd = list(dsn = as.list(ctx$files))),
    region_crosswalk = list(
      args = function() list(from = ctx$pc2_small, to = ctx$pc2_small),
      odd = list(from = geo_odd, to = geo_odd),
      weight = 0.5),
    region_index = list(
      args = function() list(regions = ctx$pc2_small),
      odd = list(regions = geo_odd)),
    region_table = list(
      args = function() list(data = ctx$linked, by = "pc2",
                             students = quote(count()),
                             doctors = quote(sum(became_doctor)),
                             pct = quote(rate(became_doctor))),
      nse = c("students", "doctors", "pct"), nse_odd = stat_odd),
    register_classifier = list(
      args = function() list(name = "fuzz_cls", fun = function(x) rep(1L, length(x)),
                             levels = "one", replace = TRUE),
      cleanup = function() try(spreiding::unregister_classifier("fuzz_cls"),
                               silent = TRUE)),
    register_disclosure_rule = list(
      args = function() list(name = "fuzz_rule",
                             fun = function(x, ...) rep(FALSE, NROW(x)),
                             replace = TRUE),
      cleanup = function() try(spreiding::unregister_disclosure_rule("fuzz_rule"),
                               silent = TRUE)),
    register_statistic = list(
      args = function() list(name = "fuzz_stat", fun = function(x) sum(x),
                             replace = TRUE),
      cleanup = function() try(spreiding::unregister_statistic("fuzz_stat"),
                               silent = TRUE)),
    round_half_away = list(
      args = function() list(x = c(7396.5, 0.5, -0.5, 84.5), digits = 0)),
    secondary = list(args = function() list(protection = 1)),
    simulate_cohort = list(
      args = function() list(cohorts = "2000-2010", scale = 0.002, seed = 1),
      weight = 0.5),
    simulate_survey = list(args = function() list(n = 20, seed = 1)),
    statistics = list(args = function() list()),
    thresholds = list(
      args = function() list(x = c(2100, 3000, 3200, 3500, 4100, NA),
                             cuts = 3500)),
    unregister_classifier = list(args = function() list(name = "fuzz_none")),
    unregister_disclosure_rule = list(args = function() list(name = "fuzz_none")),
    unregister_statistic = list(args = function() list(name = "fuzz_none")),
    # selection policies (R/select.R): a small pool, few replications
    lottery = list(args = function() list()),
    weighted_lottery = list(
      args = function() list(tickets = c(shortage = 3), by = "region_class")),
    quota = list(
      args = function() list(share = 0.2, eligible = "shortage",
                             by = "region_class")),
    bonded = list(
      args = function() list(share = 0.1, serve_region = "RA1222",
                             compliance = 0.8, buyout = 250000)),
    contextual = list(
      args = function() list(bonus = c(shortage = 1), by = "region_class",
                             score = "score")),
    policies = list(args = function() list()),
    simulate_applicants = list(
      args = function() list(places = 20, seed = 1), weight = 0.5),
    simulate_selection = list(
      args = function() list(applicants = applicants, places = 20,
                             policy = spreiding::quota(0.2, "shortage") +
                               spreiding::weighted_lottery(c(shortage = 2)),
                             reps = 20, seed = 1, threads = 1),
      weight = 0.5),
    inclusion_probabilities = list(
      args = function() list(applicants = applicants[1:8, ], places = 3,
                             policy = spreiding::weighted_lottery(
                               c(shortage = 2)),
                             seed = 1, threads = 1),
      weight = 0.5),
    compare_policies = list(
      args = function() list(quota = spreiding::quota(0.2, "shortage"),
                             applicants = applicants, places = 20,
                             reps = 20, seed = 1, threads = 1),
      weight = 0.3)
  )
}
