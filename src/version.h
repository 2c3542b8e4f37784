#pragma once

#include <string>

namespace pageviews {

// "1.0.0 (revision <git commit>)": the release and the source it was built
// from, for --version and the startup line. The revision is "unknown" when
// the build was not told it (PAGEVIEWS_REVISION, a CMake cache variable and
// a Docker build argument).
std::string versionLine();
// The git commit alone.
std::string revision();

}  // namespace pageviews
