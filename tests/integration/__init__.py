# A package, so that the database server's "package" scope ends with this
# suite (and its helpers import as integration.sandbox).
