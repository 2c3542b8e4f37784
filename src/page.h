#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pageviews {

// Escapes text for an HTML element or a quoted attribute.
std::string escapeHtml(std::string_view text);

// The counted page: an HTML5 document showing `views` in id="views".
std::string renderCountPage(std::string_view path, std::int64_t views);

// A small HTML5 document for an error status.
std::string renderErrorPage(int status, std::string_view title, std::string_view detail);

// 1234567 -> "1,234,567", for people; id="views" keeps the plain digits.
std::string groupThousands(std::int64_t value);

}  // namespace pageviews
