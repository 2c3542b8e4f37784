#pragma once

#include <cstdint>
#include <string>

namespace pageviews {

// GET /healthz on this machine's listener; true for a 200 within 2 s.
// It lets Docker's HEALTHCHECK run without curl in the image.
bool probeHealth(const std::string &listenHost, std::uint16_t port);

}  // namespace pageviews
