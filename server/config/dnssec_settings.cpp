#include "server/config/dnssec_settings.hpp"

#include "dnssec/algorithm.hpp"
#include "server/config/duration.hpp"

namespace mailns::server {

namespace {

constexpr const char* kDnssecKeys[] = {"enabled",        "algorithm", "keys",         "denial",      "signature_validity",
                                       "refresh_before", "key_dir",   "zsk_lifetime", "ksk_lifetime"};
constexpr const char* kAlgorithms[] = {"ecdsap256sha256", "ed25519", "rsasha256"};
constexpr const char* kSchemes[] = {"csk", "ksk_zsk"};
constexpr const char* kDenials[] = {"nsec3", "nsec", "compact"};

constexpr uint32_t kDay = 86400;
constexpr uint32_t kMinValidity = 10;         // seconds; anything shorter cannot even be re-signed in time
constexpr uint32_t kMaxValidity = 365 * kDay;  // RRSIG times are 32-bit serial numbers (RFC 4034 3.1.5)

std::optional<uint32_t> duration(ConfigChecker& c, const YAML::Node& n, const std::string& path,
                                 const std::string& example) {
  std::optional<uint32_t> v;
  if (n.IsScalar()) v = parse_duration(n.Scalar());
  if (!v)
    c.error(n, path + ": expected a duration such as " + example +
                   " (seconds, or a number with s, m, h, d or w), got " + describe(n));
  return v;
}

// zsk_lifetime / ksk_lifetime: 0 or at least a day. A bare "90" is 90
// seconds, which would roll keys all the time; it is almost surely "90d".
std::optional<uint32_t> lifetime(ConfigChecker& c, const YAML::Node& n, const std::string& path) {
  auto v = duration(c, n, path, "90d");
  if (v && *v != 0 && *v < kDay) {
    c.error(n, path + ": " + n.Scalar() + " is " + format_duration(*v) +
                   "; a key lifetime is 0 (roll only on request) or at least 1d, e.g. 90d");
    return std::nullopt;
  }
  return v;
}

}  // namespace

const char* denial_word(dnssec::DenialMode d) noexcept { return d == dnssec::DenialMode::kNsec ? "nsec" : "nsec3"; }

const char* key_scheme_word(dnssec::KeyScheme k) noexcept { return k == dnssec::KeyScheme::kCsk ? "csk" : "ksk_zsk"; }

DnssecSettings default_dnssec_settings(const std::string& config_path) {
  DnssecSettings s;
  s.enabled = false;
  s.policy.algorithm = dnssec::Algorithm::kEcdsaP256Sha256;
  s.policy.keys = dnssec::KeyScheme::kCsk;
  s.policy.denial = dnssec::DenialMode::kNsec3;  // RFC 9276: 0 extra iterations, no salt (Nsec3Params defaults)
  s.policy.signature_validity = 14 * kDay;
  s.policy.refresh_before = 4 * kDay;
  s.policy.zsk_lifetime = 0;
  s.policy.ksk_lifetime = 0;
  s.key_dir = resolve_config_path(config_path, "state/keys");
  s.where = config_path;
  return s;
}

DnssecSettings read_dnssec_settings(ConfigChecker& c, const YAML::Node& n, const std::string& path,
                                    const DnssecSettings& base, const std::string& config_path) {
  DnssecSettings s = base;
  s.where = c.file() + ":" + std::to_string(c.line_of(n));
  if (!n.IsMap()) {
    c.error(n, path + ": expected a mapping such as \"{ enabled: true, algorithm: ecdsap256sha256 }\", got " +
                   describe(n));
    return s;
  }
  auto keys = c.keys(n, path, kDnssecKeys);
  auto at = [&](const char* key) -> const YAML::Node* {
    auto it = keys.find(key);
    return it == keys.end() ? nullptr : &it->second;
  };
  const std::string p = path + ".";
  if (auto v = at("enabled"))
    if (auto b = c.boolean(*v, p + "enabled")) s.enabled = *b;
  if (auto v = at("algorithm")) {
    auto a = v->IsScalar() ? dnssec::algorithm_from_config(v->Scalar()) : std::nullopt;
    if (a)
      s.policy.algorithm = *a;
    else
      c.error(*v, p + "algorithm: expected one of " + join(kAlgorithms) +
                      " (ecdsap256sha256 is the usual choice), got " + describe(*v));
  }
  if (auto v = at("keys"))
    if (auto i = c.one_of(*v, p + "keys", kSchemes))
      s.policy.keys = *i == 0 ? dnssec::KeyScheme::kCsk : dnssec::KeyScheme::kKskZsk;
  if (auto v = at("denial")) {
    if (auto i = c.one_of(*v, p + "denial", kDenials))
      s.policy.denial = *i == 0 ? dnssec::DenialMode::kNsec3
                      : *i == 1 ? dnssec::DenialMode::kNsec
                                : dnssec::DenialMode::kCompact;  // RFC 9824, answered at query time
  }
  const YAML::Node* validity_node = at("signature_validity");
  const YAML::Node* refresh_node = at("refresh_before");
  if (validity_node) {
    if (auto d = duration(c, *validity_node, p + "signature_validity", "14d")) {
      if (*d < kMinValidity || *d > kMaxValidity)
        c.error(*validity_node, p + "signature_validity: " + format_duration(*d) + " is out of range; use " +
                                    format_duration(kMinValidity) + " to 365d, usually 14d");
      else
        s.policy.signature_validity = *d;
    }
  }
  if (refresh_node) {
    if (auto d = duration(c, *refresh_node, p + "refresh_before", "4d")) {
      if (*d == 0)
        c.error(*refresh_node, p + "refresh_before: 0 would let signatures expire before they are renewed; use "
                                   "e.g. 4d");
      else
        s.policy.refresh_before = *d;
    }
  }
  if (s.policy.refresh_before >= s.policy.signature_validity) {
    // Reported where the operator set one of the two (or at the section).
    const YAML::Node& where = refresh_node ? *refresh_node : validity_node ? *validity_node : n;
    c.error(where, p + "refresh_before (" + format_duration(s.policy.refresh_before) +
                       ") must be shorter than signature_validity (" +
                       format_duration(s.policy.signature_validity) +
                       "), or every signature would be renewed at once; e.g. signature_validity: 14d with "
                       "refresh_before: 4d");
  }
  if (auto v = at("key_dir"))
    if (auto t = c.string(*v, p + "key_dir", "state/keys")) s.key_dir = resolve_config_path(config_path, *t);
  if (auto v = at("zsk_lifetime"))
    if (auto d = lifetime(c, *v, p + "zsk_lifetime")) s.policy.zsk_lifetime = *d;
  if (auto v = at("ksk_lifetime"))
    if (auto d = lifetime(c, *v, p + "ksk_lifetime")) s.policy.ksk_lifetime = *d;
  return s;
}

}  // namespace mailns::server
