// What `mailns serve` does to be the only instance and to stop being root:
//   - one instance per state_dir: an exclusive lock on state_dir/mailns.lock
//     for the life of the process;
//   - one server per address: before binding, no other process may already
//     serve a listen address (SO_REUSEPORT would let both bind silently);
//   - server.user/server.group: started as root, once every socket is bound
//     and the control socket is open, state_dir and the key directories are
//     given to that user (modes kept: 0700 directories, 0600 keys), then
//     setgroups/setgid/setuid, and root must not be regainable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dnssec/file_lock.hpp"
#include "server/config/config.hpp"

namespace mailns::server {

// Locks state_dir/mailns.lock (creating state_dir, mode 0700, when
// missing); nullopt with *error naming the other instance's pid.
std::optional<dnssec::FileLock> lock_instance(const ServerSettings& s, std::string* error);

// Every listen address (DNS, metrics, MTA-STS endpoint) another process
// serves already, one message each; empty when all are free.
std::vector<std::string> addresses_served_by_others(const Config& config);

// The directories a server writes in: state_dir and every zone's key_dir.
std::vector<std::string> writable_dirs(const Config& config);

// Started as root with server.user: takes over `dirs` (recursively) and the
// control socket for that user, drops root and checks that it is gone.
// Started as root without it: a warning. Not root: nothing (a warning when
// server.user names someone else). Empty on success, else why not.
std::string drop_root(const Config& config, const std::vector<std::string>& dirs);

}  // namespace mailns::server
