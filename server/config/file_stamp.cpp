#include "server/config/file_stamp.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <cerrno>
#include <cstdint>

namespace mailns::server {

namespace {

// The stamp of path, and its stat in *st (zeroed when it has none).
std::string stat_and_stamp(const std::string& path, struct stat& st) {
  st = {};
  if (::stat(path.c_str(), &st) != 0) return "missing:" + path + ":" + std::to_string(errno);
  if (::access(path.c_str(), R_OK) != 0) return "unreadable:" + path + ":" + std::to_string(errno);
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
         std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec) + ":" +
         std::to_string(st.st_mode);
}

}  // namespace

std::string file_stamp(const std::string& path) {
  struct stat st {};
  return stat_and_stamp(path, st);
}

InputFile InputFile::stamped(const std::string& path) {
  struct stat st {};
  InputFile f{path, stat_and_stamp(path, st), false};
  timespec now {};
  auto ns = [](const timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; };
  constexpr int64_t kSettle = 2'000'000'000;  // coarser than any local filesystem's timestamps
  if (st.st_ino != 0 && ::clock_gettime(CLOCK_REALTIME, &now) == 0)
    f.settled = ns(st.st_ctim) + kSettle < ns(now) && ns(st.st_mtim) + kSettle < ns(now);
  return f;
}

bool inputs_unchanged(const std::vector<InputFile>& inputs) {
  return !inputs.empty() &&
         std::all_of(inputs.begin(), inputs.end(), [](const InputFile& f) { return f.settled && file_stamp(f.path) == f.stamp; });
}

}  // namespace mailns::server
