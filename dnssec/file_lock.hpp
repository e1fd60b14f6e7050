// An exclusive advisory lock (flock), held for the life of the FileLock, on
// a file or on a directory. A zone's key directory is locked itself (the
// server's re-signing and every CLI command that changes keys.state take it
// around the whole read-modify-write): no lock file to create per zone. The
// one-instance lock on state_dir is a file whose holder writes its pid into
// it. Either way a process that waits in vain can say who holds it (the
// file's pid, or the kernel's /proc/locks). The lock goes with the process:
// a crash never leaves it taken.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "dnssec/result.hpp"

namespace mailns::dnssec {

class FileLock {
 public:
  // Opens (creating with `mode`) and locks path, waiting at most `wait` for
  // another holder to let go (zero: one try). The error names the path and,
  // when known, the pid holding it.
  static Result<FileLock> acquire(const std::string& path, mode_t mode, std::chrono::milliseconds wait);
  // Locks the directory dir itself (which must exist), writing nothing.
  static Result<FileLock> acquire_directory(const std::string& dir, std::chrono::milliseconds wait);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  int fd() const noexcept { return fd_; }

 private:
  explicit FileLock(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

// The pid written into a lock file by its holder, or 0 when unknown.
pid_t lock_holder(const std::string& path) noexcept;
// The pid holding a flock on the file or directory with this device and
// inode, from /proc/locks; 0 when none or unknown. Allocates (reads the
// table as text): for error messages only.
pid_t flock_holder(dev_t dev, ino_t ino);

}  // namespace mailns::dnssec
