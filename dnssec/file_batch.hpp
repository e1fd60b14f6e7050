// FileBatch: many atomic file writes made durable together by a few
// filesystem syncs (syncfs) instead of an fsync of each file and of its
// directory (a cold start with 10,000 zones wrote 40,000 fsyncs' worth of
// key files and key states, about 2 ms each). The order write_file_atomic
// gives one file holds for every file of the batch:
//   1. add(): each content goes to its own temporary file beside its path
//      (".<name>.tmp.XXXXXX", is_unfinished_write), with its final mode
//      from the start, not synced;
//   2. commit(): one sync makes every temporary file's content durable;
//      then the files of step kFirst are put in place (link for
//      Place::kCreateOnly, rename for kReplace) and synced; then those of
//      step kSecond, synced. A crash at any point leaves each path either as
//      it was or complete, and a kSecond file (a manifest such as
//      keys.state) is never durable before the kFirst files it names.
// Files belong to groups (one zone's files): when a file of a group cannot
// be put in place, the group's later files are not (their temporary files
// are removed) and commit() reports the group as failed; other groups go on.
// A group may hold file locks (FileLock) that commit() releases once the
// group's files are durable, so a read-modify-write stays locked until it
// is on disk. add(), hold() and pending() may be called from several threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dnssec/atomic_file.hpp"
#include "dnssec/file_lock.hpp"
#include "dnssec/result.hpp"

namespace mailns::dnssec {

class FileBatch {
 public:
  enum class Step : uint8_t { kFirst, kSecond };

  FileBatch() = default;
  FileBatch(const FileBatch&) = delete;
  FileBatch& operator=(const FileBatch&) = delete;
  ~FileBatch();  // an uncommitted batch removes its temporary files: nothing is placed

  // Writes content to a temporary file for path (step 1 above). A second
  // add() for a path already in the batch replaces the first content. The
  // error names path; nothing of it is left in the batch then.
  Status add(size_t group, const std::string& path, std::string_view content, mode_t mode, Place place, Step step);
  // True when path was added and is not committed yet.
  bool pending(const std::string& path) const;
  // Keeps lock until the group is committed (or the batch dropped).
  void hold(size_t group, FileLock lock);
  size_t size() const;  // files waiting

  // Step 2 above. Returns the failed groups with the reason; all others are
  // durable. The batch is empty afterwards (locks released) and can be
  // filled again.
  std::map<size_t, std::string> commit();

 private:
  struct Entry {
    size_t group;
    std::string path;
    std::string tmp;
    Place place;
    Step step;
  };
  void place_step(Step step, std::map<size_t, std::string>& failed);
  void discard() noexcept;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;  // path -> its entry
  std::map<size_t, std::vector<FileLock>> locks_;
};

// Syncs the filesystems that hold the given directories (syncfs, once per
// filesystem). The error names the directory whose filesystem did not sync.
Status sync_filesystems(const std::vector<std::string>& dirs);
// The first of dirs on each filesystem (one stat each); the error names a
// directory that cannot be reached.
Result<std::vector<std::string>> one_per_filesystem(const std::vector<std::string>& dirs);

// Convenience for code that writes either at once or into a batch: with a
// batch, add() to it under group; without, write_atomic() (synced on return).
struct BatchSlot {
  FileBatch* batch = nullptr;
  size_t group = 0;
  explicit operator bool() const noexcept { return batch != nullptr; }
  Status write(const std::string& path, std::string_view content, mode_t mode, Place place,
               FileBatch::Step step) const;
  // True when path exists on disk or waits in the batch.
  bool exists(const std::string& path) const;
};

}  // namespace mailns::dnssec
