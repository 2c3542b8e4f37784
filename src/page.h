#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pageviews {

// The counted page's size limit, in bytes, at any count: nginx's headers
// (568 bytes measured, its security headers among them) and the page fit
// the 1448 bytes of one TCP segment (MTU 1500, timestamps): 1448 - 568.
inline constexpr std::size_t kCountPageBudget = 880;

// Escapes text for an HTML element or a quoted attribute.
std::string escapeHtml(std::string_view text);

// The counted page: an HTML5 document showing `views` in id="views".
std::string renderCountPage(std::string_view path, std::int64_t views);

// A small HTML5 document for an error status.
std::string renderErrorPage(int status, std::string_view title, std::string_view detail);

// 1234567 -> "1,234,567", for people; id="views" keeps the plain digits.
std::string groupThousands(std::int64_t value);

}  // namespace pageviews
