"""The https suite's fixtures. Its projects are named pvt-https-* and
publish host ports 18220-18239 only."""
