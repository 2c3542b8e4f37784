#include "page.h"

namespace pageviews {
namespace {

// Inline CSS only: the page needs no external asset, so the
// Content-Security-Policy can forbid all of them.
constexpr std::string_view kStyle = R"(
:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center;
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       background: Canvas; color: CanvasText; }
main { text-align: center; padding: 2rem; max-width: 40rem; }
h1 { font-size: clamp(1.25rem, 4vw, 1.75rem); font-weight: 600; margin: 0 0 1.5rem; }
.count { font-size: clamp(3rem, 18vw, 7rem); font-weight: 700; line-height: 1;
         color: var(--accent); font-variant-numeric: tabular-nums; margin: 0; }
.label { color: var(--muted); margin: .75rem 0 0; }
footer { color: var(--muted); font-size: .875rem; margin-top: 2.5rem; }
)";

std::string document(std::string_view title, std::string_view body) {
    std::string html;
    html.reserve(2048);
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
    html += escapeHtml(title);
    html += "</title>\n<style>";
    html += kStyle;
    html += "</style>\n</head>\n<body>\n<main>\n";
    html += body;
    html += "</main>\n</body>\n</html>\n";
    return html;
}

}  // namespace

std::string escapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string groupThousands(std::int64_t value) {
    const auto digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

std::string renderCountPage(std::string_view path, std::int64_t views) {
    std::string body = "<h1>Page views of <code>" + escapeHtml(path) + "</code></h1>\n";
    body += "<p class=\"count\" aria-live=\"polite\"><span id=\"views\" data-views=\"" + std::to_string(views) + "\">" +
            std::to_string(views) + "</span></p>\n";
    body += "<p class=\"label\">" + groupThousands(views) + (views == 1 ? " view" : " views") +
            " so far, yours included.</p>\n";
    body += "<footer>pageviews &middot; reload to count another view</footer>\n";
    return document("Page views", body);
}

std::string renderErrorPage(int status, std::string_view title, std::string_view detail) {
    std::string body = "<h1>" + std::to_string(status) + " " + escapeHtml(title) + "</h1>\n";
    body += "<p class=\"label\">" + escapeHtml(detail) + "</p>\n";
    return document(title, body);
}

}  // namespace pageviews
