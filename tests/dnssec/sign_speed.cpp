// Not a test: signs the zones that gen_zones.py writes (default 1000 mail
// zones) and prints how long it took, to check "1000 mail zones sign in a few
// seconds on 2 cores". Usage:
//   python3 shared/tools/gen_zones.py /tmp/w 1000
//   dnssec_sign_speed /tmp/w [threads] [ecdsap256sha256|ed25519|rsasha256] [nsec|nsec3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "dnssec/zone_signer.hpp"
#include "zone/zone_file.hpp"

using namespace mailns;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp/w";
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::stoul(argv[2])) : 2;
  dnssec::SigningPolicy policy;
  if (argc > 3) {
    auto a = dnssec::algorithm_from_config(argv[3]);
    if (!a) {
      std::fprintf(stderr, "unknown algorithm %s\n", argv[3]);
      return 2;
    }
    policy.algorithm = *a;
  }
  if (argc > 4 && std::string(argv[4]) == "nsec3") policy.denial = dnssec::DenialMode::kNsec3;

  // Load the zones (not timed): records as the zone loader would hand them over.
  std::vector<dnssec::ZoneToSign> zones;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/zones")) {
    std::string file = e.path().filename().string();
    if (file.size() < 6 || file.substr(file.size() - 5) != ".zone") continue;
    auto origin = zone::DnsName::from_text(file.substr(0, file.size() - 5));
    auto res = zone::load_zone_file(e.path().string(), *origin);
    if (!res.zone) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), res.errors.empty() ? "?" : res.errors.front().c_str());
      return 1;
    }
    dnssec::ZoneToSign z{*origin, {}, {}};
    res.zone->for_each_node([&](const zone::Node& n) {
      for (const auto& s : n.rrsets())
        for (const auto rd : s.rdatas) z.records.push_back(zone::Record{n.name(), s.type, 1, s.ttl, zone::rdata_copy(rd)});
    });
    zones.push_back(std::move(z));
  }
  size_t rrsets = 0;
  for (const auto& z : zones) {
    std::vector<std::pair<std::string_view, uint16_t>> seen;
    for (const auto& r : z.records) seen.emplace_back(r.owner.lookup_form(), r.type);
    std::sort(seen.begin(), seen.end());
    rrsets += static_cast<size_t>(std::unique(seen.begin(), seen.end()) - seen.begin());
  }

  auto t0 = Clock::now();
  for (auto& z : zones) {
    auto k = dnssec::SigningKey::generate(policy.algorithm, dnssec::dnskey_flags::kKsk);
    if (!k) {
      std::fprintf(stderr, "%s\n", k.error().c_str());
      return 1;
    }
    z.keys.push_back(dnssec::KeyUse{std::make_shared<dnssec::SigningKey>(std::move(*k)), true, true, true, true});
  }
  const double keygen = seconds_since(t0);

  auto t1 = Clock::now();
  auto results = dnssec::sign_zones(zones, policy, static_cast<int64_t>(std::time(nullptr)), threads);
  const double sign = seconds_since(t1);
  size_t sigs = 0, records = 0, failed = 0;
  for (const auto& r : results) {
    if (!r) {
      ++failed;
      continue;
    }
    sigs += r->signatures;
    records += r->records.size();
  }
  std::printf("%zu zones (%zu RRsets in), %s, %s, %u threads: keygen %.3f s (1 thread), signing %.3f s, "
              "%zu RRSIGs (%.0f/s), %zu records out, %zu failed\n",
              zones.size(), rrsets, std::string(dnssec::algorithm_config_word(policy.algorithm)).c_str(),
              policy.denial == dnssec::DenialMode::kNsec ? "nsec" : "nsec3", threads, keygen, sign, sigs,
              static_cast<double>(sigs) / sign, records, failed);
  return failed ? 1 : 0;
}
