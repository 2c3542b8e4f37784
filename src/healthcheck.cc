#include "healthcheck.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <string_view>

namespace pageviews {
namespace {

// Closes the socket when the probe returns, on every path.
class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

bool isIpv6(const std::string &host) { return host.find(':') != std::string::npos; }

}  // namespace

bool probeHealth(const std::string &listenHost, std::uint16_t port) {
    // A wildcard listener is reached over loopback.
    const bool v6 = isIpv6(listenHost);
    std::string host = listenHost;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";

    Socket socket(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (socket.fd() < 0) return false;
    const timeval timeout{2, 0};
    ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

    sockaddr_storage address{};
    socklen_t length = 0;
    if (v6) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&address);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        if (::inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) != 1) return false;
        length = sizeof *in6;
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&address);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        if (::inet_pton(AF_INET, host.c_str(), &in4->sin_addr) != 1) return false;
        length = sizeof *in4;
    }
    if (::connect(socket.fd(), reinterpret_cast<sockaddr *>(&address), length) != 0) return false;

    constexpr std::string_view request = "GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (::send(socket.fd(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        return false;
    }
    // Read the whole reply: closing a socket with unread data makes the
    // kernel reset the connection, which the server then logs as an error.
    std::string reply;
    char buffer[512];
    ssize_t received = 0;
    while ((received = ::recv(socket.fd(), buffer, sizeof buffer, 0)) > 0 && reply.size() < 64 * 1024) {
        reply.append(buffer, static_cast<std::size_t>(received));
    }
    const std::string_view status(reply);
    return status.size() >= 12 && status.starts_with("HTTP/1.") && status.substr(8, 4) == " 200";
}

}  // namespace pageviews
