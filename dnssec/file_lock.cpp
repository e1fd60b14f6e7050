#include "dnssec/file_lock.hpp"

#include "dnssec/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace mailns::dnssec {

namespace {

void write_pid(int fd) noexcept {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) return;
  [[maybe_unused]] const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
}

}  // namespace

namespace {

// Takes the flock on fd, trying until `wait` has passed; on failure closes
// fd and says why (what: the path, for the message; holder: who has it).
template <typename Holder>
Status lock_or_close(int fd, const std::string& what, std::chrono::milliseconds wait, Holder holder) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  auto pause = std::chrono::milliseconds(1);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) {
      const pid_t pid = err == EWOULDBLOCK ? holder() : 0;
      ::close(fd);
      if (err != EWOULDBLOCK) return Error{what + ": cannot lock: " + std::strerror(err)};
      return Error{what + " is locked by another process" +
                   (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                   (wait.count() > 0 ? "; gave up after " + std::to_string(wait.count()) + " ms" : std::string())};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return {};
}

}  // namespace

Result<FileLock> FileLock::acquire(const std::string& path, mode_t mode, std::chrono::milliseconds wait) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Error{path + ": cannot open the lock file: " + std::strerror(errno)};
  const auto slash = path.rfind('/');
  give_to_directory_owner(fd, slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash));
  if (Status s = lock_or_close(fd, path, wait, [&] { return lock_holder(path); }); !s) return Error{s.error()};
  write_pid(fd);
  return FileLock(fd);
}

Result<FileLock> FileLock::acquire_directory(const std::string& dir, std::chrono::milliseconds wait) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Error{dir + ": cannot open the directory to lock it: " + std::strerror(errno)};
  auto holder = [fd] {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? flock_holder(st.st_dev, st.st_ino) : 0;
  };
  if (Status s = lock_or_close(fd, dir, wait, holder); !s) return Error{s.error()};
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

pid_t flock_holder(dev_t dev, ino_t ino) {
  // "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" (device numbers in
  // hex); "1: -> FLOCK ..." lines are waiters, not holders.
  std::ifstream in("/proc/locks");
  char want[64];
  std::snprintf(want, sizeof want, "%02x:%02x:%lu", major(dev), minor(dev), static_cast<unsigned long>(ino));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string n, type, mode, access, pid, id;
    if (!(fields >> n >> type >> mode >> access >> pid >> id) || type != "FLOCK" || id != want) continue;
    long value = 0;
    for (char c : pid) value = c >= '0' && c <= '9' && value < (1L << 22) ? value * 10 + (c - '0') : -1;
    if (value > 0 && value < (1L << 22)) return static_cast<pid_t>(value);
  }
  return 0;
}

}  // namespace mailns::dnssec
