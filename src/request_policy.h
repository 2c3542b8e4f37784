#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pageviews {

// What the policy needs to know of a request, read from Drogon's request.
struct RequestShape {
    bool hasHost = false;
    bool hasTransferEncoding = false;
    std::string contentLength;  // empty when absent
    std::size_t targetBytes = 0;
    std::size_t headerBytes = 0;
    // As Drogon stored them: lower-cased, and cut at the first ':' only, so
    // "Content-Length : 36" arrives here as "content-length ".
    std::vector<std::string> headerNames;
};

struct Refusal {
    int status;
    std::string reason;
};

inline constexpr std::size_t kMaxTargetBytes = 8 * 1024;
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

// Requests one connection may have read but not yet answered. nginx sends
// one request at a time per connection; a client talking to the app
// directly may pipeline a few. Beyond that Drogon closes the connection and
// drops, uncounted, the requests of the read that went over.
inline constexpr std::size_t kMaxPipelinedRequests = 16;

// Why a request is refused before routing, or nullopt. Every route of this
// app takes GET or HEAD without a body, and nginx sends a Host header, so a
// request that breaks these rules is a client error and must count nothing;
// the limits match what nginx in front enforces.
//
// Any Content-Length is refused, 0 included: Drogon 1.9 reads an empty
// chunked body and then presents the request as "Content-Length: 0" without
// Transfer-Encoding, so a 0 cannot be told from a chunked body. nginx does
// not pass a client's "Content-Length: 0" on.
std::optional<Refusal> refuseRequest(const RequestShape &request);

// RFC 9110's token: what a header field name may be. Anything else (a space
// before the colon, a control byte) makes the message's framing ambiguous,
// and RFC 9112 says to answer 400.
bool isToken(const std::string &text);

// The connections a request was refused on lately, per I/O thread. Drogon
// 1.9 hands the app every request it has already read from a connection,
// also those read behind a refused one, and after a refusal for malformed
// framing those include the refused request's body read as a new request.
// So after a refusal every further request on the same connection is
// refused too, and the connection is closed after the answer. A connection
// is named by its two addresses; an entry is forgotten after `memory` (a new
// connection could reuse the same pair of ports) or when `capacity` newer
// ones push it out.
class RefusedConnections {
  public:
    using Clock = std::chrono::steady_clock;

    RefusedConnections(std::size_t capacity, Clock::duration memory) : capacity_(capacity), memory_(memory) {}

    // Records a refusal; a connection already recorded keeps its first time,
    // so refusing it again does not extend how long it is remembered.
    void add(const std::string &connection, Clock::time_point now);
    bool contains(const std::string &connection, Clock::time_point now);
    bool empty() const { return entries_.empty(); }

  private:
    void forgetOld(Clock::time_point now);

    std::size_t capacity_;
    Clock::duration memory_;
    std::deque<std::pair<std::string, Clock::time_point>> entries_;
};

}  // namespace pageviews
