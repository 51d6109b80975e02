# Register the plugins with spreiding when this namespace loads, and remove
# them when it unloads: the registry keeps pointers into this package's DLL.

.onLoad <- function(libname, pkgname) {
  requireNamespace("spreiding")
  if (spreiding::c_api_version() != .Call(extra_c_api_version)) {
    stop("spreidingextra was built against another version of the ",
         "spreiding plugin API; reinstall it.", call. = FALSE)
  }
  .Call(extra_c_register)
  invisible()
}

.onUnload <- function(libpath) {
  if (isNamespaceLoaded("spreiding")) .Call(extra_c_unregister)
  library.dynam.unload("spreidingextra", libpath)
}
