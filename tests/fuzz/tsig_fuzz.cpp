// libFuzzer target over TSIG (server/xfr/tsig): find_tsig walks every record
// of any message; verify_tsig checks what it found against two keys, with
// and without a prior MAC, at a fixed time. Noexcept and bounded on hostile
// input: nothing may crash, and a found record must lie inside the message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "server/xfr/tsig.hpp"

using namespace mailns::server;
using namespace mailns;

namespace {
std::vector<TsigKey> keys() {
  std::vector<TsigKey> k;
  k.push_back(TsigKey{*zone::DnsName::from_text("xfr-key"), TsigAlgorithm::kHmacSha256,
                      std::vector<uint8_t>(32, 0x5a)});
  k.push_back(TsigKey{*zone::DnsName::from_text("other.key"), TsigAlgorithm::kHmacSha512,
                      std::vector<uint8_t>(64, 0xa5)});
  return k;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<TsigKey> k = keys();
  const std::span<const uint8_t> msg(data, size);
  TsigRecord rec;
  if (find_tsig(msg, rec) != TsigFind::kFound) return 0;
  if (rec.offset > size || rec.mac.size() > size || rec.other.size() > size) std::abort();
  const uint8_t prior[32] = {1, 2, 3};
  for (int64_t now : {int64_t{0}, static_cast<int64_t>(rec.time_signed), int64_t{1'800'000'000}}) {
    (void)verify_tsig(msg, rec, k, {}, now);
    (void)verify_tsig(msg, rec, k, prior, now, 60);
  }
  // Signing a response to it must stay within the buffer.
  std::vector<uint8_t> buf(msg.begin(), msg.end());
  buf.resize(size + 512);
  TsigSigner signer(k[0], rec.mac, rec.original_id);
  if (signer.sign(buf, size, rec.time_signed) > buf.size()) std::abort();
  return 0;
}
