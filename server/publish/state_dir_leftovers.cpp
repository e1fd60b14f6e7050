#include "server/publish/state_dir_leftovers.hpp"

#include "dnssec/atomic_file.hpp"

namespace mailns::server {

std::vector<std::string> state_dir_leftovers(const std::string& state_dir) {
  return dnssec::unfinished_writes_in(state_dir);
}

std::vector<std::string> tidy_state_dir(const std::string& state_dir) {
  std::vector<std::string> messages;
  const std::string orphans = state_dir + "/orphans";
  for (const std::string& p : state_dir_leftovers(state_dir)) {
    auto moved = dnssec::move_aside(p, orphans);
    messages.push_back(moved ? p + ": moved aside to " + orphans +
                                   "/ (the temporary file of an interrupted write; the file it was to replace holds "
                                   "the last complete version)"
                             : moved.error());
  }
  return messages;
}

}  // namespace mailns::server
