#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace pageviews {

// What the policy needs to know of a request, read from Drogon's request.
struct RequestShape {
    bool hasHost = false;
    bool hasTransferEncoding = false;
    std::string contentLength;  // empty when absent
    std::size_t targetBytes = 0;
    std::size_t headerBytes = 0;
};

struct Refusal {
    int status;
    std::string reason;
};

inline constexpr std::size_t kMaxTargetBytes = 8 * 1024;
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

// Why a request is refused before routing, or nullopt. Every route of this
// app takes GET or HEAD without a body, and nginx sends a Host header, so a
// request that breaks these rules is a client error and must count nothing;
// the limits match what nginx in front enforces.
std::optional<Refusal> refuseRequest(const RequestShape &request);

}  // namespace pageviews
