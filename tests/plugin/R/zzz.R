# spreidingplugin binds to spreiding when its namespace loads and lets go
# when it unloads, as the header inst/include/spreiding.h asks: the C shims
# may only run once spreiding's namespace is loaded, and the function
# pointers it keeps must be unregistered before this DLL goes away.

.onLoad <- function(libname, pkgname) {
  requireNamespace("spreiding")
  versions <- .Call(spreidingplugin_c_api_versions)
  if (versions[["engine"]] != versions[["compiled"]]) {
    stop(
      "spreidingplugin was built against the spreiding plugin API version ",
      versions[["compiled"]], ", but the installed spreiding provides ",
      "version ", versions[["engine"]], ". Reinstall spreidingplugin.",
      call. = FALSE
    )
  }
  .Call(spreidingplugin_c_register)
  invisible()
}

.onUnload <- function(libpath) {
  # spreiding cannot be unloaded while this namespace imports it, but check
  # anyway: the C shims look spreiding's functions up on first use.
  if (isNamespaceLoaded("spreiding")) {
    .Call(spreidingplugin_c_unregister)
  }
  library.dynam.unload("spreidingplugin", libpath)
}

# The entries this package provides, as spreiding lists them: a data frame
# with columns registry, name and kind.
provided <- function() {
  lists <- list(
    statistics = spreiding::statistics(),
    classifiers = spreiding::classifiers(),
    disclosure_rules = spreiding::disclosure_rules()
  )
  rows <- lapply(names(lists), function(registry) {
    entries <- lists[[registry]]
    entries <- entries[entries$provider == "spreidingplugin", , drop = FALSE]
    data.frame(
      registry = rep(registry, nrow(entries)),
      name = entries$name,
      kind = entries$kind
    )
  })
  do.call(rbind, rows)
}
