// Shared by the settings-parser fuzzers: an invariant check that stops the
// run (libFuzzer records the input as a crash) and helpers.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_REQUIRE(condition)                                                                       \
    do {                                                                                              \
        if (!(condition)) {                                                                           \
            std::fprintf(stderr, "invariant violated: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
            std::abort();                                                                             \
        }                                                                                             \
    } while (false)

namespace fuzz {

inline bool hasControlCharacter(std::string_view text) {
    for (const unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

// The password a reader would take from URL text: the part between the
// first ':' and the last '@' of the authority. Empty when there is none.
inline std::string naivePassword(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    auto rest = url.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("/?"));
    const auto at = rest.rfind('@');
    if (at == std::string_view::npos) return {};
    const auto userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) return {};
    return std::string(userinfo.substr(colon + 1));
}

// Error messages are fixed text plus setting names, option names and file
// paths, all drawn from letters, digits, space and  ,./:;[]()'\=-_@?&%
// A secret holding any other byte cannot appear in a message by chance, so
// finding it there means the message echoes it.
inline bool distinctiveSecret(std::string_view secret) {
    static constexpr std::string_view kMessageAlphabet =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,./:;[]()'\\=-_@?&%";
    if (secret.size() < 3) return false;
    return secret.find_first_not_of(kMessageAlphabet) != std::string_view::npos;
}

}  // namespace fuzz
