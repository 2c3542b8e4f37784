# A package, so that the cluster fixture's "package" scope ends with this
# suite (and its helpers import as cluster.helpers).
