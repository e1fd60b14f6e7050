#include "dnssec/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace mailns::dnssec {

namespace {
std::string errno_text() { return std::strerror(errno); }

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}
}  // namespace

void give_to_directory_owner(int fd, const std::string& dir) noexcept {
  if (::geteuid() != 0) return;  // only root creates files for others
  struct stat d {};
  if (::stat(dir.c_str(), &d) != 0 || (d.st_uid == 0 && d.st_gid == 0)) return;
  [[maybe_unused]] const int rc = ::fchown(fd, d.st_uid, d.st_gid);
}

namespace {
// A directory make_directory has just created: given its exact mode (the
// umask may have narrowed it) and, run as root, to its parent's owner.
Status finish_directory(const std::string& path, mode_t mode) {
  ::chmod(path.c_str(), mode);
  if (::geteuid() != 0) return {};  // only root creates directories for others
  if (const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); fd >= 0) {
    give_to_directory_owner(fd, dir_of(path));
    ::close(fd);
  }
  return {};
}
}  // namespace

Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
  return write_atomic(path, content, mode, Place::kReplace);
}

Status write_new_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
  return write_atomic(path, content, mode, Place::kCreateOnly);
}

Status write_atomic(const std::string& path, std::string_view content, mode_t mode, Place place) {
  auto tmp = write_temporary(path, content, mode, /*sync=*/true);
  if (!tmp) return Error{tmp.error()};
  if (Status s = place_temporary(*tmp, path, place); !s) return s;
  sync_directory(dir_of(path));  // make the rename itself durable
  return {};
}

bool file_exists(const std::string& path) noexcept {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

Result<std::string> write_temporary(const std::string& path, std::string_view content, mode_t mode, bool sync) {
  const std::string dir = dir_of(path);
  const auto slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmpl = dir + "/." + base + ".tmp.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const int fd = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) return Error{path + ": cannot create temporary file in " + dir + ": " + errno_text()};
  const std::string tmp(buf.data());
  give_to_directory_owner(fd, dir);
  auto fail = [&](const std::string& what) {
    const std::string why = errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    return Error{path + ": " + what + ": " + why};
  };
  if (::fchmod(fd, mode) != 0) return fail("cannot set permissions");
  if (!write_all(fd, content)) return fail("cannot write");
  if (sync && ::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return Error{path + ": cannot close: " + why};
  }
  return tmp;
}

Status place_temporary(const std::string& tmp, const std::string& path, Place place) {
  if (place == Place::kCreateOnly) {
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      const std::string why = errno == EEXIST ? "file exists; refusing to overwrite it" : errno_text();
      ::unlink(tmp.c_str());
      return Error{path + ": " + why};
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return Error{path + ": cannot rename temporary file into place: " + why};
  }
  return {};
}

void sync_directory(const std::string& dir) noexcept {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

bool is_unfinished_write(std::string_view name) noexcept {
  // ".<base>.tmp.XXXXXX": mkostemp replaces the six X.
  if (name.size() < 13 || name[0] != '.') return false;
  const auto tmp = name.rfind(".tmp.");
  return tmp != std::string_view::npos && tmp > 1 && name.size() - tmp == 11;
}

std::vector<std::string> unfinished_writes_in(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    struct stat st {};
    if (is_unfinished_write(n) && ::lstat((dir + "/" + n).c_str(), &st) == 0 && S_ISREG(st.st_mode))
      out.push_back(dir + "/" + n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> move_aside(const std::string& path, const std::string& to_dir) {
  if (Status s = make_directory(to_dir, 0700); !s) return Error{s.error()};
  const auto slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string target = to_dir + "/" + base;
  for (int n = 1; file_exists(target); ++n) {
    if (n > 1000) return Error{path + ": cannot move it aside: too many files named " + base + " in " + to_dir};
    target = to_dir + "/" + base + "." + std::to_string(n);
  }
  if (::rename(path.c_str(), target.c_str()) != 0)
    return Error{path + ": cannot move it aside to " + target + ": " + errno_text()};
  sync_directory(to_dir);
  sync_directory(dir_of(path));
  return target;
}

Status make_directory(const std::string& path, mode_t mode) {
  if (path.empty()) return Error{"empty directory name"};
  // mkdir first: a start makes a key directory per zone, and asking first
  // whether it exists is one more lookup of a missing name in a large
  // directory (the slow kind) for each.
  int err = ::mkdir(path.c_str(), mode) == 0 ? 0 : errno;
  const auto last = path.find_last_not_of('/');
  const auto slash = last == std::string::npos ? std::string::npos : path.rfind('/', last);
  if (err == ENOENT && slash != std::string::npos && slash > 0) {  // a parent is missing
    if (Status s = make_directory(path.substr(0, slash), mode); !s) return s;
    err = ::mkdir(path.c_str(), mode) == 0 ? 0 : errno;
  }
  if (err == 0) return finish_directory(path, mode);
  struct stat st {};
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return Error{path + ": exists and is not a directory"};
    return {};
  }
  return Error{path + ": cannot create directory: " + std::strerror(err)};
}

namespace {
// The length of the log open as fd up to and with its last '\n' (0 when it
// has none): what is left of it once a line a crash cut short is cut off.
// -1 when it cannot be read.
off_t complete_length(int fd, off_t size) {
  char buf[4096];
  for (off_t end = size; end > 0;) {
    const off_t from = end > static_cast<off_t>(sizeof buf) ? end - static_cast<off_t>(sizeof buf) : 0;
    const ssize_t n = ::pread(fd, buf, static_cast<size_t>(end - from), from);
    if (n != end - from) return -1;
    for (ssize_t i = n; i > 0; --i)
      if (buf[i - 1] == '\n') return from + i;
    end = from;
  }
  return 0;
}
}  // namespace

Status append_lines_durably(const std::string& path, std::string_view lines, mode_t mode) {
  const bool created = !file_exists(path);
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0) return Error{path + ": cannot open: " + errno_text()};
  if (created) give_to_directory_owner(fd, dir_of(path));
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (ok && st.st_size > 0) {
    const off_t keep = complete_length(fd, st.st_size);
    ok = keep >= 0 && (keep == st.st_size || ::ftruncate(fd, keep) == 0);
  }
  ok = ok && write_all(fd, lines) && ::fdatasync(fd) == 0;
  const std::string why = ok ? std::string() : errno_text();
  ::close(fd);
  if (!ok) return Error{path + ": cannot append: " + why};
  if (created) sync_directory(dir_of(path));
  return {};
}

std::vector<std::string_view> complete_lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t start = 0, nl; (nl = text.find('\n', start)) != std::string_view::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

Result<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{path + ": cannot open: " + errno_text()};
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = errno_text();
      ::close(fd);
      return Error{path + ": cannot read: " + why};
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace mailns::dnssec
