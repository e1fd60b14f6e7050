#include "server/net/listen_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

namespace mailns::server {

namespace {

class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

[[noreturn]] void fail(int err, const ListenAddress& addr, SocketKind kind, const char* step) {
  std::string what = std::string("cannot ") + step + " " + addr.to_string() + (kind == SocketKind::kUdp ? "/udp" : "/tcp");
  if (err == EACCES && addr.port < 1024) what += " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
  if (err == EADDRINUSE) what += " (another program is using this port; stop it or pick another port)";
  if (err == EADDRNOTAVAIL) what += " (no interface has this address; check server.listen)";
  throw std::system_error(err, std::generic_category(), what);
}

void set_int(int fd, int level, int name, int value) {
  (void)setsockopt(fd, level, name, &value, sizeof value);
}

}  // namespace

int open_listen_socket(const ListenAddress& addr, SocketKind kind) {
  const int family = addr.v6 ? AF_INET6 : AF_INET;
  const int type = (kind == SocketKind::kUdp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  const int fd = ::socket(family, type, 0);
  if (fd < 0) fail(errno, addr, kind, "open a socket for");
  FdGuard guard(fd);

  const int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) fail(errno, addr, kind, "set SO_REUSEADDR on");
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) fail(errno, addr, kind, "set SO_REUSEPORT on");
  if (addr.v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
    fail(errno, addr, kind, "set IPV6_V6ONLY on");

  if (kind == SocketKind::kUdp) {
    // Answers go out at the interface MTU and ignore (spoofable) ICMP path
    // MTU updates, as Knot and BIND do; best effort.
    if (addr.v6) {
      set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_OMIT);
    } else {
      set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_OMIT);
    }
    if (addr.is_wildcard()) {
      const int ok = addr.v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one)
                             : setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
      if (ok != 0) fail(errno, addr, kind, "enable PKTINFO on");
    }
  }

  sockaddr_storage ss{};
  socklen_t len = 0;
  if (addr.v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(addr.port);
    std::memcpy(&sa->sin6_addr, addr.bytes.data(), 16);
    len = sizeof(sockaddr_in6);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(addr.port);
    std::memcpy(&sa->sin_addr, addr.bytes.data(), 4);
    len = sizeof(sockaddr_in);
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) fail(errno, addr, kind, "bind");
  if (kind == SocketKind::kTcp && ::listen(fd, 1024) != 0) fail(errno, addr, kind, "listen on");
  return guard.release();
}

}  // namespace mailns::server
