#include "server/publish/mta_sts_policy_dir.hpp"

#include <filesystem>

#include "dnssec/atomic_file.hpp"
#include "server/logging.hpp"
#include "server/publish/zone_loader.hpp"

namespace mailns::server {

namespace {

constexpr mode_t kPolicyFileMode = 0644;  // a web server reads it

// The policy `domain`'s zone carries in `next`, or nullptr (not served, no policy).
const std::string* published_policy(const zone::DnsName& domain, const zone::Snapshot& next) {
  const zone::Zone* z = next.find_zone(domain);
  if (!z || !(z->origin() == domain)) return nullptr;
  return z->document(mta_sts_policy_path(domain));
}

// Writes file when its content differs; the error text otherwise ("" when done or unchanged).
std::string write_if_changed(const std::string& file, const std::string& policy, bool* written) {
  if (auto old = dnssec::read_file(file); old && *old == policy) return {};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  if (ec) return "cannot create " + std::filesystem::path(file).parent_path().string() + ": " + ec.message();
  if (auto st = dnssec::write_file_atomic(file, policy, kPolicyFileMode); !st) return st.error();
  *written = true;
  return {};
}

}  // namespace

std::vector<std::string> write_mta_sts_policy_dirs(std::span<const synth::MailDomainDecl> domains,
                                                   const zone::Snapshot& next) {
  std::vector<std::string> written;
  for (const synth::MailDomainDecl& d : domains) {
    if (!d.mta_sts || d.mta_sts->policy_dir.empty()) continue;
    const std::string* policy = published_policy(d.domain, next);
    if (!policy) continue;
    const std::string file = d.mta_sts->policy_dir + "/" + mta_sts_policy_path(d.domain);
    bool wrote = false;
    if (std::string err = write_if_changed(file, *policy, &wrote); !err.empty()) {
      zone_log().error("{}: {}: the MTA-STS policy could not be written to {} ({}); the web server there serves "
                       "the old one while DNS has the new id: fix the directory and reload",
                       d.mta_sts->loc.str(), d.domain.to_text(), file, err);
    } else if (wrote) {
      zone_log().info("{}: MTA-STS policy written to {}", d.domain.to_text(), file);
      written.push_back(file);
    }
  }
  return written;
}

}  // namespace mailns::server
