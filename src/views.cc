#include "views.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <drogon/HttpResponse.h>
#include <drogon/orm/Exception.h>
#include <json/json.h>

#include "migrations.h"
#include "page.h"
#include "request_policy.h"
#include "sql_dialect.h"

namespace pageviews {
namespace {

using drogon::HttpRequestPtr;
using drogon::HttpResponse;
using drogon::HttpResponsePtr;
using Respond = std::function<void(const HttpResponsePtr &)>;

HttpResponsePtr htmlResponse(drogon::HttpStatusCode status, std::string body) {
    auto response = HttpResponse::newHttpResponse(status, drogon::CT_TEXT_HTML);
    response->setBody(std::move(body));
    response->addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponsePtr textResponse(drogon::HttpStatusCode status, std::string body) {
    auto response = HttpResponse::newHttpResponse(status, drogon::CT_TEXT_PLAIN);
    response->setBody(std::move(body) + "\n");
    response->addHeader("Cache-Control", "no-store");
    return response;
}

// 503: the view was not counted, a proxy may send it elsewhere.
// 504: the database did not answer in time and the view may have counted.
HttpResponsePtr countFailureResponse(const CountError &error, bool draining) {
    const bool unknown = error.kind == CountFailure::Unknown;
    const auto status = unknown ? drogon::k504GatewayTimeout : drogon::k503ServiceUnavailable;
    auto response = htmlResponse(
        status, renderErrorPage(static_cast<int>(status), unknown ? "Gateway Timeout" : "Service Unavailable",
                                unknown ? "The database did not answer in time: " + error.reason
                                        : "This view was not counted: " + error.reason));
    response->addHeader("Retry-After", "1");
    if (draining) response->setCloseConnection(true);
    return response;
}

// The first of a database reply and a timer to claim it answers the client;
// a database client's own timeout has been seen to overrun.
class Deadline {
  public:
    Deadline(std::chrono::milliseconds timeout, std::function<void()> onTimeout)
        : claimed_(std::make_shared<std::atomic<bool>>(false)) {
        drogon::app().getLoop()->runAfter(std::chrono::duration<double>(timeout),
                                          [claimed = claimed_, onTimeout = std::move(onTimeout)] {
                                              if (!claimed->exchange(true)) onTimeout();
                                          });
    }
    bool claim() const { return !claimed_->exchange(true); }

  private:
    std::shared_ptr<std::atomic<bool>> claimed_;
};

void countView(const std::shared_ptr<ViewContext> &context, Respond respond) {
    context->counters.count([context, respond = std::move(respond)](StoreReply reply) {
        if (const auto *error = std::get_if<CountError>(&reply)) {
            respond(countFailureResponse(*error, context->draining.load()));
            return;
        }
        respond(htmlResponse(drogon::k200OK, renderCountPage(kCountedPath, std::get<std::int64_t>(reply))));
    });
}

void handleRoot(const std::shared_ptr<ViewContext> &context, const HttpRequestPtr &request, Respond respond) {
    // Drogon reports HEAD as GET; isHead() tells them apart. HEAD must not count.
    if (request->isHead()) {
        respond(htmlResponse(drogon::k200OK, ""));
        return;
    }
    if (request->method() == drogon::Get) {
        countView(context, std::move(respond));
        return;
    }
    auto response = textResponse(drogon::k405MethodNotAllowed, "method not allowed");
    response->addHeader("Allow", "GET, HEAD");
    respond(response);
}

// Runs a read for a handler and calls exactly one of `onRows` and
// `onFailure` (with the reason), by the context's deadline at the latest.
template <typename... Params>
void readWithDeadline(const ViewContext &context, const std::string &sql,
                      std::function<void(const drogon::orm::Result &)> onRows,
                      std::function<void(const std::string &reason)> onFailure, Params &&...params) {
    const auto client = context.database->client();
    if (!client) {
        onFailure("database unavailable");
        return;
    }
    const Deadline deadline(context.timeout, [onFailure, database = context.database, client] {
        database->discard(client);
        onFailure("database timeout");
    });
    client->execSqlAsync(
        sql,
        [deadline, onRows = std::move(onRows)](const drogon::orm::Result &rows) {
            if (deadline.claim()) onRows(rows);
        },
        [deadline, onFailure](const drogon::orm::DrogonDbException &) {
            if (deadline.claim()) onFailure("database error");
        },
        std::forward<Params>(params)...);
}

void handleReady(const std::shared_ptr<ViewContext> &context, Respond respond) {
    if (context->draining.load()) {
        respond(textResponse(drogon::k503ServiceUnavailable, "not ready: shutting down"));
        return;
    }
    readWithDeadline(
        *context, "SELECT MAX(version) FROM schema_migrations",
        [respond](const drogon::orm::Result &rows) {
            const int version = rows.empty() || rows[0][0].isNull() ? 0 : rows[0][0].as<int>();
            // A newer schema is ready too: every migration keeps the previous
            // release working (expand, then contract; DECISIONS 24), so an
            // old replica serving beside a newer one during an upgrade is.
            if (version >= latestSchemaVersion()) {
                respond(textResponse(drogon::k200OK, "ready"));
                return;
            }
            respond(textResponse(drogon::k503ServiceUnavailable,
                                 "not ready: schema version " + std::to_string(version) + ", need at least " +
                                     std::to_string(latestSchemaVersion()) + " (run pageviews migrate)"));
        },
        [respond](const std::string &reason) {
            respond(textResponse(drogon::k503ServiceUnavailable, "not ready: " + reason));
        });
}

HttpResponsePtr jsonResponse(drogon::HttpStatusCode status, Json::Value body) {
    auto response = HttpResponse::newHttpJsonResponse(std::move(body));
    response->setStatusCode(status);
    response->addHeader("Cache-Control", "no-store");
    return response;
}

HttpResponsePtr jsonError(std::string message) {
    Json::Value body;
    body["error"] = std::move(message);
    return jsonResponse(drogon::k503ServiceUnavailable, std::move(body));
}

void handleApiViews(const std::shared_ptr<ViewContext> &context, Respond respond) {
    readWithDeadline(
        *context, std::string(sqlDialect(context->database->backend()).selectViews),
        [respond](const drogon::orm::Result &rows) {
            Json::Value body;
            body["path"] = std::string(kCountedPath);
            body["views"] = Json::Int64{rows.empty() ? 0 : rows[0][0].as<std::int64_t>()};
            respond(jsonResponse(drogon::k200OK, std::move(body)));
        },
        [respond](const std::string &reason) { respond(jsonError(reason)); }, std::string(kCountedPath));
}

bool onMetricsPort(const ViewContext &context, const HttpRequestPtr &request) {
    return request->localAddr().toPort() == context.metricsPort;
}

void handleMetrics(const std::shared_ptr<ViewContext> &context, const HttpRequestPtr &request, Respond respond) {
    // Drogon routes paths case-insensitively, so /METRICS and friends arrive
    // here too; on the HTTP port (the one nginx proxies) they do not exist.
    if (!onMetricsPort(*context, request)) {
        respond(HttpResponse::newNotFoundResponse());
        return;
    }
    const auto client = context->database->client();
    context->metrics.setDatabaseUp(client && client->hasAvailableConnections());
    auto response = HttpResponse::newHttpResponse(drogon::k200OK, drogon::CT_CUSTOM);
    response->setContentTypeString("text/plain; version=0.0.4; charset=utf-8");
    response->setBody(context->metrics.render());
    respond(response);
}

RequestShape shapeOf(const HttpRequestPtr &request) {
    RequestShape shape;
    shape.hasHost = !request->getHeader("host").empty();
    shape.hasTransferEncoding = !request->getHeader("transfer-encoding").empty();
    shape.contentLength = request->getHeader("content-length");
    shape.targetBytes = request->path().size() + request->query().size();
    // Drogon moves the Cookie header into cookies(): count both.
    for (const auto &[name, value] : request->headers()) {
        shape.headerBytes += name.size() + value.size() + 4;
        shape.headerNames.push_back(name);
    }
    for (const auto &[name, value] : request->cookies()) shape.headerBytes += name.size() + value.size() + 2;
    return shape;
}

// A connection's requests are all read and screened on its I/O thread, so
// each thread keeps its own list, without locks. 10 s is far longer than the
// requests already read behind a refused one take to reach the screen
// (microseconds), and short enough that a later connection with the same
// ports is rarely mistaken for the refused one.
RefusedConnections &refusedConnections() {
    thread_local RefusedConnections refused(256, std::chrono::seconds(10));
    return refused;
}

std::string connectionOf(const HttpRequestPtr &request) {
    return request->peerAddr().toIpPort() + ' ' + request->localAddr().toIpPort();
}

bool onRefusedConnection(const HttpRequestPtr &request) {
    auto &refused = refusedConnections();
    return !refused.empty() && refused.contains(connectionOf(request), RefusedConnections::Clock::now());
}

// Refuses, before routing, what no route of this app takes: anything but
// /metrics on the metrics port, OPTIONS (which Drogon would otherwise answer
// itself as a CORS preflight), requests that break the request policy, and
// whatever else arrives on a connection after such a refusal (see
// RefusedConnections).
void screenRequest(const ViewContext &context, const HttpRequestPtr &request, drogon::AdviceCallback &&respond,
                   drogon::AdviceChainCallback &&next) {
    // Exactly so spelled: nothing on the metrics port counts a view.
    if (onMetricsPort(context, request) && request->path() != "/metrics") {
        respond(HttpResponse::newNotFoundResponse());
        return;
    }
    if (request->method() == drogon::Options) {
        auto response = textResponse(drogon::k405MethodNotAllowed, "method not allowed");
        response->addHeader("Allow", "GET, HEAD");
        respond(response);
        return;
    }
    auto refusal = onRefusedConnection(request)
                       ? std::optional<Refusal>(Refusal{400, "connection closing after a refused request"})
                       : refuseRequest(shapeOf(request));
    if (refusal) {
        refusedConnections().add(connectionOf(request), RefusedConnections::Clock::now());
        respond(textResponse(static_cast<drogon::HttpStatusCode>(refusal->status), refusal->reason));
        return;
    }
    next();
}

double secondsSince(const trantor::Date &start) {
    return static_cast<double>(trantor::Date::now().microSecondsSinceEpoch() - start.microSecondsSinceEpoch()) / 1e6;
}

}  // namespace

void registerViews(drogon::HttpAppFramework &app, const std::shared_ptr<ViewContext> &context) {
    app.registerPreRoutingAdvice(
        [context](const HttpRequestPtr &request, drogon::AdviceCallback &&respond, drogon::AdviceChainCallback &&next) {
            screenRequest(*context, request, std::move(respond), std::move(next));
        });
    // "/" takes every method, so that the handler itself answers 405 with Allow.
    app.registerHandler("/", [context](const HttpRequestPtr &request, Respond &&respond) {
        handleRoot(context, request, std::move(respond));
    });
    app.registerHandler("/healthz",
                        [](const HttpRequestPtr &, Respond &&respond) { respond(textResponse(drogon::k200OK, "ok")); },
                        {drogon::Get});
    app.registerHandler(
        "/readyz", [context](const HttpRequestPtr &, Respond &&respond) { handleReady(context, std::move(respond)); },
        {drogon::Get});
    app.registerHandler(
        "/api/views",
        [context](const HttpRequestPtr &, Respond &&respond) { handleApiViews(context, std::move(respond)); },
        {drogon::Get});
    app.registerHandler("/metrics",
                        [context](const HttpRequestPtr &request, Respond &&respond) {
                            handleMetrics(context, request, std::move(respond));
                        },
                        {drogon::Get});
    // Every response, including Drogon's own 400s and 404s, is measured here.
    app.registerPreSendingAdvice([context](const HttpRequestPtr &request, const HttpResponsePtr &response) {
        // A refusal closes its connection. Set here and not where the
        // refusal is made: Drogon sets every response's Connection from the
        // request's keep-alive in between. Answers to requests read before
        // the refused one are sent first, as usual.
        const auto status = response->statusCode();
        const bool refusal = status == drogon::k400BadRequest || status == drogon::k414RequestURITooLarge ||
                             status == drogon::k431RequestHeaderFieldsTooLarge;
        if (refusal && onRefusedConnection(request)) response->setCloseConnection(true);
        context->metrics.observeRequest(request->path(), static_cast<int>(response->statusCode()),
                                        secondsSince(request->creationDate()));
    });
    app.setCustom404Page(
        htmlResponse(drogon::k404NotFound, renderErrorPage(404, "Not Found", "Only / is counted here.")));
}

}  // namespace pageviews
