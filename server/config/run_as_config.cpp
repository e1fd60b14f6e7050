#include "server/config/run_as_config.hpp"

#include <grp.h>
#include <pwd.h>

#include <vector>

namespace mailns::server {

namespace {

// getpwnam_r/getgrnam_r with a buffer that grows; false when there is no such entry.
bool find_user(const std::string& name, uid_t* uid, gid_t* gid) {
  std::vector<char> buf(4096);
  for (int tries = 0; tries < 6; ++tries, buf.resize(buf.size() * 4)) {
    passwd pw{}, *found = nullptr;
    const int rc = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
    if (rc == ERANGE) continue;
    if (rc != 0 || !found) return false;
    *uid = pw.pw_uid;
    *gid = pw.pw_gid;
    return true;
  }
  return false;
}

bool find_group(const std::string& name, gid_t* gid) {
  std::vector<char> buf(4096);
  for (int tries = 0; tries < 6; ++tries, buf.resize(buf.size() * 4)) {
    group gr{}, *found = nullptr;
    const int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found);
    if (rc == ERANGE) continue;
    if (rc != 0 || !found) return false;
    *gid = gr.gr_gid;
    return true;
  }
  return false;
}

}  // namespace

std::optional<RunAs> read_run_as(ConfigChecker& c, const std::map<std::string, YAML::Node>& keys) {
  const auto user_it = keys.find("user"), group_it = keys.find("group");
  if (user_it == keys.end()) {
    if (group_it != keys.end())
      c.error(group_it->second, "server.group: given without server.user; add the user to run as, e.g. "
                                "\"user: mailns\" (the group defaults to the user's own)");
    return std::nullopt;
  }
  RunAs out;
  const auto user = c.string(user_it->second, "server.user", "mailns");
  if (!user) return std::nullopt;
  out.user = *user;
  if (!find_user(out.user, &out.uid, &out.gid)) {
    c.error(user_it->second, "server.user: there is no user '" + out.user +
                                 "' on this system; create it (useradd --system --no-create-home mailns) or name "
                                 "an existing one");
    return std::nullopt;
  }
  if (out.uid == 0) {
    c.error(user_it->second, "server.user: '" + out.user + "' is root (uid 0); name an unprivileged user such as mailns");
    return std::nullopt;
  }
  if (group_it != keys.end()) {
    const auto group = c.string(group_it->second, "server.group", "mailns");
    if (!group) return std::nullopt;
    out.group = *group;
    if (!find_group(out.group, &out.gid)) {
      c.error(group_it->second, "server.group: there is no group '" + out.group +
                                    "' on this system; create it (groupadd --system mailns) or leave group out");
      return std::nullopt;
    }
    if (out.gid == 0) {
      c.error(group_it->second, "server.group: '" + out.group + "' is root's group (gid 0); name another group");
      return std::nullopt;
    }
  } else if (const ::group* g = getgrgid(out.gid)) {
    out.group = g->gr_name;
  } else {
    out.group = std::to_string(out.gid);
  }
  return out;
}

}  // namespace mailns::server
