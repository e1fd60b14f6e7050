#include "server/net/address_owner.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace mailns::server {

namespace {

socklen_t to_sockaddr(const ListenAddress& a, sockaddr_storage& ss) {
  ss = {};
  if (a.v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(a.port);
    std::memcpy(&sa->sin6_addr, a.bytes.data(), 16);
    return sizeof(sockaddr_in6);
  }
  auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
  sa->sin_family = AF_INET;
  sa->sin_port = htons(a.port);
  std::memcpy(&sa->sin_addr, a.bytes.data(), 4);
  return sizeof(sockaddr_in);
}

// 0: the probe bound (nobody there); otherwise the errno of bind.
int probe(const ListenAddress& a, int type) {
  const int fd = ::socket(a.v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const int one = 1;
  // TCP: SO_REUSEADDR so that connections of an earlier run in TIME_WAIT do
  // not count; a listening socket still makes bind fail. UDP: no option, so
  // any bound socket does.
  if (type == SOCK_STREAM) (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (a.v6) (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  sockaddr_storage ss;
  const socklen_t len = to_sockaddr(a, ss);
  const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len);
  const int err = rc == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

// /proc/net/{udp,tcp}[6] local_address "0100007F:14B4": the address as the
// kernel stores it (32-bit words in host order), the port in hex.
bool matches(const std::string& local, const ListenAddress& a) {
  const size_t colon = local.find(':');
  if (colon == std::string::npos) return false;
  const std::string hex = local.substr(0, colon);
  if (hex.size() != (a.v6 ? 32u : 8u)) return false;
  unsigned port = 0;
  if (std::sscanf(local.c_str() + colon + 1, "%x", &port) != 1 || port != a.port) return false;
  std::array<uint8_t, 16> bytes{};
  for (size_t w = 0; w < hex.size() / 8; ++w) {
    uint32_t word = static_cast<uint32_t>(std::stoul(hex.substr(w * 8, 8), nullptr, 16));
    std::memcpy(bytes.data() + w * 4, &word, 4);  // host order, as printed by the kernel
  }
  const size_t n = a.v6 ? 16 : 4;
  bool wildcard = true;
  for (size_t i = 0; i < n; ++i) wildcard &= bytes[i] == 0;
  return wildcard || a.is_wildcard() || std::memcmp(bytes.data(), a.bytes.data(), n) == 0;
}

std::set<unsigned long> inodes_bound_to(const ListenAddress& a) {
  std::set<unsigned long> out;
  static constexpr const char* kTables4[] = {"/proc/net/udp", "/proc/net/tcp"};
  static constexpr const char* kTables6[] = {"/proc/net/udp6", "/proc/net/tcp6"};
  for (const char* table : a.v6 ? kTables6 : kTables4) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string slot, local, remote, state, queues, timer, retr, uid, timeout;
      unsigned long inode = 0;
      if (!(f >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode)) continue;
      const bool tcp = std::strstr(table, "tcp") != nullptr;
      if (tcp && state != "0A") continue;  // TCP: listening sockets only
      try {
        if (inode != 0 && matches(local, a)) out.insert(inode);
      } catch (const std::exception&) {  // a line we cannot read: not ours to judge
      }
    }
  }
  return out;
}

}  // namespace

pid_t pid_serving(const ListenAddress& a) {
  const std::set<unsigned long> inodes = inodes_bound_to(a);
  if (inodes.empty()) return 0;
  DIR* proc = ::opendir("/proc");
  if (!proc) return 0;
  pid_t found = 0;
  const pid_t self = ::getpid();
  while (const dirent* p = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(p->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == self) continue;
    const std::string fd_dir = std::string("/proc/") + p->d_name + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;
    while (const dirent* f = ::readdir(fds)) {
      char target[64];
      const ssize_t n = ::readlinkat(dirfd(fds), f->d_name, target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = '\0';
      unsigned long inode = 0;
      if (std::sscanf(target, "socket:[%lu]", &inode) == 1 && inodes.count(inode)) {
        found = static_cast<pid_t>(pid);
        break;
      }
    }
    ::closedir(fds);
    if (found) break;
  }
  ::closedir(proc);
  return found;
}

std::string served_by_another(const ListenAddress& a, bool udp) {
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    if (type == SOCK_DGRAM && !udp) continue;
    const int err = probe(a, type);
    if (err == 0) continue;
    if (err != EADDRINUSE) return {};  // EACCES, EADDRNOTAVAIL...: binding will say it better
    const pid_t pid = pid_serving(a);
    return a.to_string() + " is already served by another process" +
           (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
           "; stop it, or give this server another address (server.listen)";
  }
  return {};
}

}  // namespace mailns::server
