// libFuzzer target over the primary's request path (server/primary.hpp):
// every input is a message answered as UDP and as TCP by a Primary whose ACL
// lets everyone transfer and which knows one TSIG key, from a snapshot with
// a small zone (so AXFR/IXFR run to the end). Checks: nothing beyond the
// buffer or the transport's limit, every answer walks to its last octet
// (find_tsig), QR=1 with the request's ID, a transfer ends, and IXFR
// requests parse the same as the fuzzer's bytes say.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "server/logging.hpp"
#include "server/xfr/primary.hpp"
#include "server/xfr/tsig.hpp"
#include "zone/zone_file.hpp"

namespace {

using namespace mailns;
using namespace mailns::server;

constexpr const char* kZone = R"(
$ORIGIN example.org.
$TTL 3600
@ SOA ns1 hostmaster 2 7200 3600 1209600 300
@ NS ns1
@ MX 10 mail
ns1 A 192.0.2.53
mail A 192.0.2.25
*.wild TXT "wildcard"
sub NS ns.sub
ns.sub A 192.0.2.99
)";

struct Fixture {
  std::shared_ptr<const zone::Snapshot> snapshot;
  std::unique_ptr<Primary> primary;
  Fixture() {
    init_logging(LogLevel::kError);
    const auto origin = *zone::DnsName::from_text("example.org");
    auto v1 = zone::load_zone_text(std::string(kZone).replace(std::string(kZone).find(" 2 "), 3, " 1 "), origin, "v1");
    auto v2 = zone::load_zone_text(std::string(kZone) + "new A 192.0.2.1\n", origin, "v2");
    if (!v1.zone || !v2.zone) std::abort();
    TransferSettings s;
    s.tsig_keys.push_back(TsigKey{*zone::DnsName::from_text("xfr-key"), TsigAlgorithm::kHmacSha256,
                                  std::vector<uint8_t>(32, 0x42)});
    AclEntry all;
    all.prefix = AddressPrefix::parse("0.0.0.0/0", nullptr);
    s.acl.entries.push_back(all);
    s.catalog = CatalogSettings{*zone::DnsName::from_text("catalog.invalid")};
    primary = std::make_unique<Primary>(s, Primary::Options{});
    auto first = std::make_shared<const zone::Snapshot>(std::vector<std::shared_ptr<const zone::Zone>>{v1.zone},
                                                        zone::AnswerOptions{});
    // Serial 1 -> 2: an IXFR difference to send.
    snapshot = primary->before_publish(
        std::make_shared<const zone::Snapshot>(std::vector<std::shared_ptr<const zone::Zone>>{v2.zone},
                                               zone::AnswerOptions{}),
        *first);
  }
};

void check_answer(std::span<const uint8_t> q, std::span<const uint8_t> a, size_t limit) {
  if (a.size() > limit || a.size() < 12) {
    std::fprintf(stderr, "answer of %zu octets (limit %zu)\n", a.size(), limit);
    std::abort();
  }
  if (!(a[2] & 0x80) || a[0] != q[0] || a[1] != q[1]) {
    std::fprintf(stderr, "answer without QR or with another ID\n");
    std::abort();
  }
  TsigRecord rec;
  if (find_tsig(a, rec) == TsigFind::kMalformed) {
    std::fprintf(stderr, "malformed answer\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  const std::span<const uint8_t> q(data, size);
  const IpAddress peer = *IpAddress::parse("127.0.0.1");
  std::vector<std::byte> out(4096);
  const size_t n = f.primary->answer_udp(std::as_bytes(q), out, *f.snapshot, peer);
  if (n > 0) check_answer(q, {reinterpret_cast<const uint8_t*>(out.data()), n}, out.size());
  auto src = f.primary->answer_tcp(std::as_bytes(q), f.snapshot, peer);
  if (src) {
    std::vector<uint8_t> buf(65535);
    size_t messages = 0;
    while (const size_t m = src->next(buf)) {
      check_answer(q, {buf.data(), m}, 65535);
      if (++messages > 1000) {
        std::fprintf(stderr, "a transfer that does not end\n");
        std::abort();
      }
    }
  }
  return 0;
}
