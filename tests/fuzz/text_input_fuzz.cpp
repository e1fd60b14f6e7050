// libFuzzer target over the text parsers outside DNS messages that face
// untrusted or operator input: the HTTP endpoints' routing (method, Host
// header and request target as Beast hands them over; server/web) and the
// declaration dates (synth/date_time). Neither may crash, throw or read out
// of bounds on any input. The input is split at its first two NUL bytes
// into method, host and target; the whole input is also parsed as a date.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "server/web/policy_route.hpp"
#include "server/web/web_response.hpp"
#include "synth/date_time.hpp"
#include "zone/snapshot.hpp"
#include "zone/zone_file.hpp"

namespace {

// One zone, example.org, carrying an MTA-STS policy document.
const mailns::zone::Snapshot& snapshot() {
  static const std::shared_ptr<const mailns::zone::Snapshot> snap = [] {
    using namespace mailns::zone;
    auto z = load_zone_text("@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ 3600 IN NS ns1\n"
                            "ns1 3600 IN A 192.0.2.53\n",
                            *DnsName::from_text("example.org"), "fuzz");
    auto docs = std::make_shared<Zone::Documents>();
    (*docs)["mta-sts.example.org/.well-known/mta-sts.txt"] = "version: STSv1\r\nmode: testing\r\n";
    z.zone->attach_documents(docs);
    return std::make_shared<const Snapshot>(std::vector<std::shared_ptr<const Zone>>{z.zone}, AnswerOptions{});
  }();
  return *snap;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)mailns::synth::parse_date_time(in);
  const size_t a = in.find('\0');
  const size_t b = a == std::string_view::npos ? a : in.find('\0', a + 1);
  const std::string_view method = in.substr(0, a);
  const std::string_view host = a == std::string_view::npos ? std::string_view() : in.substr(a + 1, b - a - 1);
  const std::string_view target = b == std::string_view::npos ? in : in.substr(b + 1);
  (void)mailns::server::route_request(method, host, target, snapshot());
  (void)mailns::server::single_resource(method, target, "/metrics", "body", "text/plain");
  return 0;
}
