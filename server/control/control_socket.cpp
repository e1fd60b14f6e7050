#include "server/control/control_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dnssec/atomic_file.hpp"
#include "server/logging.hpp"

namespace mailns::server {

namespace {

constexpr int kIoTimeoutMs = 5000;
constexpr size_t kMaxCommand = 65536;  // `mailns reload ZONE...` names many zones

std::string errno_text() { return std::strerror(errno); }

bool make_address(const std::string& path, sockaddr_un& a, std::string* error) {
  std::memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) {
    if (error) *error = path + ": control socket path is longer than " + std::to_string(sizeof a.sun_path - 1) +
                        " bytes; set a shorter server.control_socket";
    return false;
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return true;
}

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

ControlSocket::ControlSocket(std::string path, Handler handler) : path_(std::move(path)), handler_(std::move(handler)) {}

ControlSocket::~ControlSocket() {
  stop();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    ::unlink(path_.c_str());
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::string ControlSocket::open() {
  sockaddr_un a;
  std::string err;
  if (!make_address(path_, a, &err)) return err;
  if (const auto slash = path_.rfind('/'); slash != std::string::npos && slash > 0)
    if (dnssec::Status st = dnssec::make_directory(path_.substr(0, slash), 0700); !st) return st.error();
  // A socket file left by a killed server is replaced; a live one is not.
  struct stat st{};
  if (::lstat(path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return path_ + ": exists and is not a socket; remove it or set server.control_socket";
    std::string ignored;
    if (send_control_command(path_, "ping", &ignored).ok && ignored.empty())
      return path_ + ": another mailns server answers on this control socket; stop it first";
    ::unlink(path_.c_str());
  }
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return path_ + ": socket: " + errno_text();
  // Only the owner may connect: the mode is set at bind time through the
  // umask (start-up, before other threads write files).
  const mode_t old = ::umask(0177);
  const int rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::umask(old);
  if (rc != 0 || ::listen(listen_fd_, 16) != 0) {
    std::string e = path_ + ": cannot listen on the control socket: " + errno_text();
    ::close(listen_fd_);
    listen_fd_ = -1;
    return e;
  }
  ::chmod(path_.c_str(), 0600);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return {};
}

void ControlSocket::start() {
  if (listen_fd_ < 0 || thread_.joinable()) return;
  sigset_t block, old;
  sigfillset(&block);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  thread_ = std::thread([this] { run(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void ControlSocket::stop() noexcept {
  if (!thread_.joinable()) return;
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
}

void ControlSocket::run() {
  pthread_setname_np(pthread_self(), "mailns-control");
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      server_log().error("{}: control socket poll failed: {}; `mailns reload` stops working", path_, errno_text());
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval tv{kIoTimeoutMs / 1000, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string cmd;
    char buf[128];
    while (cmd.size() < kMaxCommand && cmd.find('\n') == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      cmd.append(buf, static_cast<size_t>(n));
    }
    if (auto nl = cmd.find('\n'); nl != std::string::npos) cmd.resize(nl);
    ControlReply reply;
    if (cmd == "ping") {
      reply.text = "pong\n";
    } else {
      try {
        reply = handler_(cmd);
      } catch (const std::exception& e) {
        reply = ControlReply{std::string("error: ") + e.what() + "\n", false};
      }
    }
    (void)write_all(fd, reply.text + (reply.ok ? "status: ok\n" : "status: failed\n"));
    ::close(fd);
  }
}

ControlReply send_control_command(const std::string& path, const std::string& command, std::string* error) {
  ControlReply reply{"", false};
  sockaddr_un a;
  if (!make_address(path, a, error)) return reply;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = "socket: " + errno_text();
    return reply;
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    *error = path + ": cannot reach the server (" + errno_text() + "); is `mailns serve` running with this config?";
    ::close(fd);
    return reply;
  }
  // A reload of many signed zones can take a while: wait up to 10 minutes.
  timeval tv{600, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string text;
  if (write_all(fd, command + "\n")) {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  const std::string ok = "status: ok\n", failed = "status: failed\n";
  if (text.size() >= ok.size() && text.compare(text.size() - ok.size(), ok.size(), ok) == 0) {
    reply.ok = true;
    text.resize(text.size() - ok.size());
  } else if (text.size() >= failed.size() && text.compare(text.size() - failed.size(), failed.size(), failed) == 0) {
    text.resize(text.size() - failed.size());
  } else {
    *error = path + ": the server closed the connection without an answer (see its log)";
  }
  reply.text = std::move(text);
  return reply;
}

}  // namespace mailns::server
