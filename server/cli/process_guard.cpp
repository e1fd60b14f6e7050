#include "server/cli/process_guard.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "dnssec/atomic_file.hpp"
#include "server/logging.hpp"
#include "server/net/address_owner.hpp"

namespace mailns::server {

namespace {

namespace fs = std::filesystem;

// lchown of path and, for a directory, of everything below it (symbolic
// links are changed themselves, never followed). Modes are left as they are.
std::string take_over(const std::string& path, uid_t uid, gid_t gid) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return {};
  if (::lchown(path.c_str(), uid, gid) != 0) return path + ": cannot change its owner: " + std::strerror(errno);
  if (!fs::is_directory(fs::symlink_status(path, ec))) return {};
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string p = it->path().string();
    if (::lchown(p.c_str(), uid, gid) != 0) return p + ": cannot change its owner: " + std::strerror(errno);
  }
  if (ec) return path + ": cannot walk the directory: " + ec.message();
  return {};
}

std::string become(const RunAs& r) {
  const gid_t groups[] = {r.gid};
  if (::setgroups(1, groups) != 0) return std::string("setgroups: ") + std::strerror(errno);
  if (::setgid(r.gid) != 0) return "setgid(" + std::to_string(r.gid) + "): " + std::strerror(errno);
  if (::setuid(r.uid) != 0) return "setuid(" + std::to_string(r.uid) + "): " + std::strerror(errno);
  // Root must be gone for good: real, effective and saved ids.
  if (::setuid(0) == 0 || ::seteuid(0) == 0 || ::setgid(0) == 0)
    return "root could be regained after switching to " + r.user + "; not serving as root";
  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  if (::getresuid(&ru, &eu, &su) != 0 || ::getresgid(&rg, &eg, &sg) != 0 || ru != r.uid || eu != r.uid ||
      su != r.uid || rg != r.gid || eg != r.gid || sg != r.gid)
    return "the user and group ids did not all change to " + r.user + ":" + r.group;
  return {};
}

}  // namespace

std::optional<dnssec::FileLock> lock_instance(const ServerSettings& s, std::string* error) {
  if (auto st = dnssec::make_directory(s.state_dir, 0700); !st) {
    *error = "state_dir " + st.error();
    return std::nullopt;
  }
  const std::string path = s.state_dir + "/mailns.lock";
  auto lock = dnssec::FileLock::acquire(path, 0600, std::chrono::milliseconds(0));
  if (!lock) {
    const pid_t pid = dnssec::lock_holder(path);
    *error = "another mailns serve" + (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
             " is running with state_dir " + s.state_dir + " (" + path +
             " is locked); stop it first, or give this one its own state_dir";
    return std::nullopt;
  }
  return std::move(*lock);
}

std::vector<std::string> addresses_served_by_others(const Config& config) {
  std::vector<std::string> out;
  for (const ListenAddress& a : config.server.listen)
    if (std::string m = served_by_another(a); !m.empty()) out.push_back(std::move(m));
  if (config.server.metrics_listen)
    if (std::string m = served_by_another(*config.server.metrics_listen, false); !m.empty())
      out.push_back("server.metrics_listen: " + m);
  if (config.mta_sts_server)
    for (const ListenAddress& a : config.mta_sts_server->listen)
      if (std::string m = served_by_another(a, false); !m.empty()) out.push_back("mta_sts_server.listen: " + m);
  return out;
}

std::vector<std::string> writable_dirs(const Config& config) {
  std::vector<std::string> dirs{config.server.state_dir};
  auto add = [&](const DnssecSettings& s) {
    if (s.enabled && std::find(dirs.begin(), dirs.end(), s.key_dir) == dirs.end()) dirs.push_back(s.key_dir);
  };
  add(config.dnssec);
  for (const auto& [name, s] : config.dnssec_overrides) add(s);
  return dirs;
}

std::string drop_root(const Config& config, const std::vector<std::string>& dirs) {
  const std::optional<RunAs>& run_as = config.server.run_as;
  if (::geteuid() != 0) {
    if (run_as && ::geteuid() != run_as->uid)
      server_log().warn("server.user: {} is ignored: not started as root (running as uid {})", run_as->user,
                        ::geteuid());
    return {};
  }
  if (!run_as) {
    server_log().warn("running as root: every packet is parsed with root's rights while the private keys are "
                      "open; set server.user (e.g. \"user: mailns\") to drop root once the sockets are bound");
    return {};
  }
  for (const std::string& d : dirs)
    if (std::string err = take_over(d, run_as->uid, run_as->gid); !err.empty()) return err;
  if (::lchown(config.server.control_socket.c_str(), run_as->uid, run_as->gid) != 0 && errno != ENOENT)
    return config.server.control_socket + ": cannot change its owner: " + std::strerror(errno);
  if (std::string err = become(*run_as); !err.empty()) return "cannot switch to user " + run_as->user + ": " + err;
  server_log().info("running as {}:{} (uid {}, gid {}); root is dropped", run_as->user, run_as->group, run_as->uid,
                    run_as->gid);
  return {};
}

}  // namespace mailns::server
