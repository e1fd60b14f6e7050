#include "zone/dns_name.hpp"

#include <ldns/ldns.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace mailns::zone {

size_t make_lookup_form(const uint8_t* wire, size_t len, uint8_t* out) noexcept {
  // Collect label offsets, then emit them in reverse order.
  uint8_t starts[128];
  size_t n = 0;
  for (size_t p = 0; p < len && wire[p] != 0; p += wire[p] + 1) starts[n++] = static_cast<uint8_t>(p);
  size_t o = 0;
  while (n > 0) {
    const size_t p = starts[--n];
    const uint8_t l = wire[p];
    out[o++] = l;
    for (size_t i = 1; i <= l; ++i) out[o++] = dns_lower(wire[p + i]);
  }
  return o;
}

namespace {
constexpr char kRootBlock[3] = {1, 0, 0};  // wire length 1, no labels, "\0"

size_t block_bytes(const char* block) { return 2 + 2 * static_cast<size_t>(static_cast<uint8_t>(block[0])) - 1; }

char* copy_block(const char* block, uint8_t label_mask) {
  const size_t size = block_bytes(block);
  char* out = new char[size];
  std::memcpy(out, block, size);
  out[1] = static_cast<char>(out[1] & label_mask);  // owned
  return out;
}
}  // namespace

DnsName::DnsName() : data_(kRootBlock) {}

DnsName::DnsName(std::string_view wire) {
  if (wire.size() <= 1) {
    data_ = kRootBlock;
    return;
  }
  char* block = new char[2 + 2 * wire.size() - 1];
  block[0] = static_cast<char>(wire.size());
  uint8_t labels = 0;
  for (size_t p = 0; static_cast<uint8_t>(wire[p]) != 0; p += static_cast<uint8_t>(wire[p]) + 1) ++labels;
  block[1] = static_cast<char>(labels);
  std::memcpy(block + 2, wire.data(), wire.size());
  make_lookup_form(reinterpret_cast<const uint8_t*>(wire.data()), wire.size(),
                   reinterpret_cast<uint8_t*>(block + 2 + wire.size()));
  data_ = block;
}

DnsName::DnsName(const DnsName& o) : data_(o.data_ == kRootBlock ? kRootBlock : copy_block(o.data_, kLabelMask)) {}
DnsName::DnsName(DnsName&& o) noexcept : data_(std::exchange(o.data_, kRootBlock)) {}
DnsName& DnsName::operator=(const DnsName& o) {
  if (this != &o) {
    const char* copy = o.data_ == kRootBlock ? kRootBlock : copy_block(o.data_, kLabelMask);
    release();
    data_ = copy;
  }
  return *this;
}
DnsName& DnsName::operator=(DnsName&& o) noexcept {
  if (this != &o) {
    release();
    data_ = std::exchange(o.data_, kRootBlock);
  }
  return *this;
}
DnsName::~DnsName() { release(); }
void DnsName::release() noexcept {
  if (data_ != kRootBlock && !(static_cast<uint8_t>(data_[1]) & kBorrowed)) delete[] data_;
  data_ = kRootBlock;
}

size_t DnsName::block_size() const noexcept { return data_ == kRootBlock ? 0 : block_bytes(data_); }

void DnsName::move_block_to(char* at) noexcept {
  if (data_ == kRootBlock) return;
  std::memcpy(at, data_, block_bytes(data_));
  at[1] = static_cast<char>(static_cast<uint8_t>(at[1]) | kBorrowed);
  release();
  data_ = at;
}

std::optional<DnsName> DnsName::from_wire(std::span<const uint8_t> wire) {
  if (wire.empty() || wire.size() > kMaxNameWire) return std::nullopt;
  size_t p = 0;
  while (p < wire.size()) {
    const uint8_t l = wire[p];
    if (l == 0) {
      if (p + 1 != wire.size()) return std::nullopt;
      return DnsName(std::string_view(reinterpret_cast<const char*>(wire.data()), wire.size()));
    }
    if (l > kMaxLabel) return std::nullopt;
    p += l + 1;
  }
  return std::nullopt;
}

std::optional<DnsName> DnsName::from_text(std::string_view text, std::string* error) {
  return from_text_relative(text, DnsName(), error);
}

std::optional<DnsName> DnsName::from_text_relative(std::string_view text, const DnsName& origin,
                                                   std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<DnsName> {
    if (error) *error = "invalid domain name '" + std::string(text) + "': " + why;
    return std::nullopt;
  };
  if (text.empty()) return fail("empty");
  if (text == "@") return origin;
  if (text == ".") return DnsName();
  // An unescaped trailing dot makes the name absolute.
  bool absolute = false;
  if (text.back() == '.') {
    size_t bs = 0;
    for (size_t i = text.size() - 1; i > 0 && text[i - 1] == '\\'; --i) ++bs;
    absolute = (bs % 2) == 0;
  }
  std::string s(text);
  if (!absolute) s += '.';
  ldns_rdf* rdf = nullptr;
  if (ldns_str2rdf_dname(&rdf, s.c_str()) != LDNS_STATUS_OK || rdf == nullptr) {
    return fail("label longer than 63 octets, name longer than 255 octets, empty label or bad escape");
  }
  std::string wire(reinterpret_cast<const char*>(ldns_rdf_data(rdf)), ldns_rdf_size(rdf));
  ldns_rdf_deep_free(rdf);
  if (!absolute && !origin.is_root()) {
    wire.pop_back();  // drop root label, append origin
    wire.append(origin.wire_view());
  }
  auto n = from_wire({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()});
  if (!n) return fail("name longer than 255 octets");
  return n;
}

bool DnsName::is_subdomain_of(const DnsName& other) const noexcept {
  const std::string_view a = lookup_form(), b = other.lookup_form();
  return a.size() >= b.size() && std::memcmp(a.data(), b.data(), b.size()) == 0;
}

std::optional<DnsName> DnsName::parent() const {
  if (is_root()) return std::nullopt;
  const size_t l = static_cast<uint8_t>(wire_view()[0]);
  return DnsName(wire_view().substr(l + 1));
}

std::optional<DnsName> DnsName::prepend(std::string_view label) const {
  if (label.empty() || label.size() > kMaxLabel) return std::nullopt;
  if (wire_len() + label.size() + 1 > kMaxNameWire) return std::nullopt;
  std::string w;
  w.reserve(wire_len() + label.size() + 1);
  w.push_back(static_cast<char>(label.size()));
  w.append(label);
  w.append(wire_view());
  return DnsName(std::string_view(w));
}

std::string_view DnsName::first_label() const noexcept {
  if (is_root()) return {};
  return wire_view().substr(1, static_cast<uint8_t>(wire_view()[0]));
}

std::string DnsName::to_text() const {
  std::string out;
  if (is_root()) return ".";
  const std::string_view wire = wire_view();
  for (size_t p = 0; static_cast<uint8_t>(wire[p]) != 0;) {
    const uint8_t l = static_cast<uint8_t>(wire[p]);
    for (size_t i = 1; i <= l; ++i) {
      const uint8_t c = static_cast<uint8_t>(wire[p + i]);
      if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c <= 0x20 || c >= 0x7f) {
        char b[5];
        std::snprintf(b, sizeof b, "\\%03u", c);
        out += b;
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '.';
    p += l + 1;
  }
  return out;
}

int compare_lookup_forms(const uint8_t* x, size_t xn, const uint8_t* y, size_t yn) noexcept {
  // RFC 4034 6.1: compare labels from the root, as lower-cased octet strings;
  // a label that is a prefix of the other sorts first, fewer labels first.
  size_t i = 0, j = 0;
  while (i < xn && j < yn) {
    const size_t lx = x[i], ly = y[j];
    const int c = std::memcmp(x + i + 1, y + j + 1, std::min(lx, ly));
    if (c != 0) return c;
    if (lx != ly) return lx < ly ? -1 : 1;
    i += lx + 1;
    j += ly + 1;
  }
  if (i < xn) return 1;
  if (j < yn) return -1;
  return 0;
}

std::strong_ordering operator<=>(const DnsName& a, const DnsName& b) noexcept {
  const std::string_view x = a.lookup_form(), y = b.lookup_form();
  const int c = compare_lookup_forms(reinterpret_cast<const uint8_t*>(x.data()), x.size(),
                                     reinterpret_cast<const uint8_t*>(y.data()), y.size());
  return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
}

}  // namespace mailns::zone
