// What identifies a file's content without reading it (per-file stamps, as
// Knot does with its zone files): device, inode, size, modification and
// change times in nanoseconds, and mode. Any write or rename changes the
// change time, which no tool sets back. A file that cannot be read gives a
// marker that changes with the reason (so "fixed the permissions" is a
// change too).
#pragma once

#include <string>
#include <vector>

namespace mailns::server {

std::string file_stamp(const std::string& path);

// A file a configuration was read from, stamped just before it was read.
// settled: its last change was over two seconds before the stamp. A file
// changed within the timestamps' granularity of the stamp could change
// again, in place and at the same size, without its stamp changing (git's
// "racily clean" entries): such a stamp is never trusted.
struct InputFile {
  std::string path;
  std::string stamp;
  bool settled = false;
  static InputFile stamped(const std::string& path);
};

// True when there is at least one file and every one is settled and still
// has its stamp: reading them again would give what was read then.
bool inputs_unchanged(const std::vector<InputFile>& inputs);

}  // namespace mailns::server
