#include "dnssec/file_lock.hpp"

#include "dnssec/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace mailns::dnssec {

namespace {

void write_pid(int fd) noexcept {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) return;
  [[maybe_unused]] const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
}

}  // namespace

Result<FileLock> FileLock::acquire(const std::string& path, mode_t mode, std::chrono::milliseconds wait) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Error{path + ": cannot open the lock file: " + std::strerror(errno)};
  const auto slash = path.rfind('/');
  give_to_directory_owner(fd, slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  auto pause = std::chrono::milliseconds(1);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      if (err != EWOULDBLOCK) return Error{path + ": cannot lock: " + std::strerror(err)};
      const pid_t holder = lock_holder(path);
      return Error{path + " is locked by another process" +
                   (holder > 0 ? " (pid " + std::to_string(holder) + ")" : std::string()) +
                   (wait.count() > 0 ? "; gave up after " + std::to_string(wait.count()) + " ms" : std::string())};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  write_pid(fd);
  return FileLock(fd);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

pid_t lock_holder(const std::string& path) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return 0;
  char buf[32] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  long pid = 0;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) pid = pid * 10 + (buf[i] - '0');
  return pid > 0 && pid < (1L << 22) ? static_cast<pid_t>(pid) : 0;
}

}  // namespace mailns::dnssec
