#include "dnssec/file_batch.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace mailns::dnssec {

namespace {
std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

FileBatch::~FileBatch() { discard(); }

Status FileBatch::add(size_t group, const std::string& path, std::string_view content, mode_t mode, Place place,
                      Step step) {
  auto tmp = write_temporary(path, content, mode, /*sync=*/false);
  if (!tmp) return Error{tmp.error()};
  std::lock_guard lock(mu_);
  if (auto it = index_.find(path); it != index_.end()) {
    Entry& e = entries_[it->second];
    ::unlink(e.tmp.c_str());
    e = Entry{group, path, std::move(*tmp), place, step};
    return {};
  }
  index_.emplace(path, entries_.size());
  entries_.push_back(Entry{group, path, std::move(*tmp), place, step});
  return {};
}

bool FileBatch::pending(const std::string& path) const {
  std::lock_guard lock(mu_);
  return index_.contains(path);
}

void FileBatch::hold(size_t group, FileLock lock) {
  std::lock_guard g(mu_);
  locks_[group].push_back(std::move(lock));
}

size_t FileBatch::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void FileBatch::place_step(Step step, std::map<size_t, std::string>& failed) {
  for (Entry& e : entries_) {
    if (e.step != step || e.tmp.empty()) continue;
    if (failed.contains(e.group)) {
      ::unlink(e.tmp.c_str());
    } else if (Status s = place_temporary(e.tmp, e.path, e.place); !s) {
      failed.emplace(e.group, s.error());  // place_temporary removed the temporary file
    }
    e.tmp.clear();
  }
}

std::map<size_t, std::string> FileBatch::commit() {
  std::lock_guard lock(mu_);
  std::map<size_t, std::string> failed;
  std::set<std::string> dirs;
  for (const Entry& e : entries_) dirs.insert(dir_of(e.path));
  // Each filesystem is looked up once for the three syncs (a start's batch
  // holds a directory per zone).
  const auto filesystems = one_per_filesystem(std::vector<std::string>(dirs.begin(), dirs.end()));
  // Contents first, then the kFirst names, then the kSecond names: each
  // sync orders what comes before it before what comes after.
  Status synced = filesystems ? sync_filesystems(*filesystems) : Status(Error{filesystems.error()});
  if (synced) {
    place_step(Step::kFirst, failed);
    synced = sync_filesystems(*filesystems);
  }
  if (synced && std::any_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.step == Step::kSecond; })) {
    place_step(Step::kSecond, failed);
    synced = sync_filesystems(*filesystems);
  }
  if (!synced) {
    // Durability unknown: every group fails (what was placed is complete,
    // but may not survive a crash, so nothing may rely on it).
    for (const Entry& e : entries_) failed.emplace(e.group, synced.error());
    for (Entry& e : entries_)
      if (!e.tmp.empty()) ::unlink(e.tmp.c_str());
  }
  entries_.clear();
  index_.clear();
  locks_.clear();
  return failed;
}

void FileBatch::discard() noexcept {
  std::lock_guard lock(mu_);
  for (const Entry& e : entries_)
    if (!e.tmp.empty()) ::unlink(e.tmp.c_str());
  entries_.clear();
  index_.clear();
  locks_.clear();
}

Result<std::vector<std::string>> one_per_filesystem(const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  std::set<dev_t> seen;
  for (const std::string& dir : dirs) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
      return Error{dir + ": cannot reach it to sync its filesystem: " + std::strerror(errno)};
    if (seen.insert(st.st_dev).second) out.push_back(dir);
  }
  return out;
}

Status sync_filesystems(const std::vector<std::string>& dirs) {
  auto filesystems = one_per_filesystem(dirs);
  if (!filesystems) return Error{filesystems.error()};
  for (const std::string& dir : *filesystems) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Error{dir + ": cannot open it to sync its filesystem: " + std::strerror(errno)};
    const int rc = ::syncfs(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return Error{dir + ": cannot sync its filesystem: " + std::strerror(err)};
  }
  return {};
}

Status BatchSlot::write(const std::string& path, std::string_view content, mode_t mode, Place place,
                        FileBatch::Step step) const {
  if (batch) return batch->add(group, path, content, mode, place, step);
  return write_atomic(path, content, mode, place);
}

bool BatchSlot::exists(const std::string& path) const {
  return file_exists(path) || (batch && batch->pending(path));
}

}  // namespace mailns::dnssec
