#pragma once

#include "settings.h"

namespace pageviews {

// Serves HTTP until SIGTERM or SIGINT, then drains; returns the exit status.
int serve(const Settings &settings);

}  // namespace pageviews
