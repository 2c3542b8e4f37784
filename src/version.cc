#include "version.h"

namespace pageviews {

// PAGEVIEWS_REVISION is defined for this file only, so a new commit
// recompiles one small file, not the app.
std::string revision() { return PAGEVIEWS_REVISION; }

std::string versionLine() { return std::string(PAGEVIEWS_VERSION) + " (revision " + revision() + ")"; }

}  // namespace pageviews
