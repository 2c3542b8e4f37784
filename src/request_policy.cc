#include "request_policy.h"

namespace pageviews {

std::optional<Refusal> refuseRequest(const RequestShape &request) {
    if (!request.hasHost) return Refusal{400, "missing Host header"};
    if (request.hasTransferEncoding || (!request.contentLength.empty() && request.contentLength != "0")) {
        return Refusal{400, "request bodies are not accepted"};
    }
    if (request.targetBytes > kMaxTargetBytes) return Refusal{414, "request target too long"};
    if (request.headerBytes > kMaxHeaderBytes) return Refusal{431, "request headers too large"};
    return std::nullopt;
}

}  // namespace pageviews
