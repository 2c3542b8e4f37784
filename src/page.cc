#include "page.h"

namespace pageviews {
namespace {

// Inline CSS only: the page needs no external asset, so the
// Content-Security-Policy can forbid all of them. Written without spaces,
// and the document without newlines or the tags HTML5 lets a page omit
// (head, body, the end of html): page and nginx's headers then fit one TCP
// segment (kCountPageBudget), which measured cheaper per view.
constexpr std::string_view kStyle =
    ":root{color-scheme:light dark}"
    "body{margin:0;min-height:100vh;display:grid;place-items:center;font-family:system-ui,sans-serif;"
    "text-align:center}"
    "main{padding:2rem;max-width:40rem}"
    "h1{font-size:clamp(1.25rem,4vw,1.75rem);font-weight:600}"
    ".count{font-size:clamp(3rem,18vw,7rem);font-weight:700;line-height:1;color:#2563eb;margin:0}"
    ".label,footer{color:#6b7280}"
    "footer{font-size:.875rem;margin-top:2.5rem}";

std::string document(std::string_view title, std::string_view body) {
    std::string html;
    html.reserve(kCountPageBudget);
    html += "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\">";
    html += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>";
    html += escapeHtml(title);
    html += "</title><style>";
    html += kStyle;
    html += "</style><main>";
    html += body;
    html += "</main>\n";
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
    std::string body = "<h1>Page views of <code>" + escapeHtml(path) + "</code></h1>";
    body += "<p class=\"count\"><span id=\"views\" data-views=\"" + std::to_string(views) + "\">" +
            std::to_string(views) + "</span></p>";
    body += "<p class=\"label\">" + groupThousands(views) + (views == 1 ? " view" : " views") +
            " so far, yours included.</p>";
    body += "<footer>pageviews &middot; reload to count another view</footer>";
    return document("Page views", body);
}

std::string renderErrorPage(int status, std::string_view title, std::string_view detail) {
    std::string body = "<h1>" + std::to_string(status) + " " + escapeHtml(title) + "</h1>";
    body += "<p class=\"label\">" + escapeHtml(detail) + "</p>";
    return document(title, body);
}

}  // namespace pageviews
