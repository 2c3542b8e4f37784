#include "request_policy.h"

#include <algorithm>
#include <string_view>

namespace pageviews {

bool isToken(const std::string &text) {
    static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
    });
}

std::optional<Refusal> refuseRequest(const RequestShape &request) {
    if (!std::all_of(request.headerNames.begin(), request.headerNames.end(), isToken)) {
        return Refusal{400, "malformed header field name"};
    }
    if (!request.hasHost) return Refusal{400, "missing Host header"};
    if (request.hasTransferEncoding || !request.contentLength.empty()) {
        return Refusal{400, "request bodies are not accepted"};
    }
    if (request.targetBytes > kMaxTargetBytes) return Refusal{414, "request target too long"};
    if (request.headerBytes > kMaxHeaderBytes) return Refusal{431, "request headers too large"};
    return std::nullopt;
}

void RefusedConnections::forgetOld(Clock::time_point now) {
    while (!entries_.empty() && now - entries_.front().second >= memory_) entries_.pop_front();
}

void RefusedConnections::add(const std::string &connection, Clock::time_point now) {
    if (contains(connection, now)) return;
    if (capacity_ == 0) return;
    if (entries_.size() == capacity_) entries_.pop_front();
    entries_.emplace_back(connection, now);
}

bool RefusedConnections::contains(const std::string &connection, Clock::time_point now) {
    forgetOld(now);
    return std::any_of(entries_.begin(), entries_.end(),
                       [&connection](const auto &entry) { return entry.first == connection; });
}

}  // namespace pageviews
