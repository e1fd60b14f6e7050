// DnsName: an always-valid, fully qualified domain name (RFC 1035 3.1).
// Holds the uncompressed wire form in the original case and a precomputed
// lookup form (labels reversed, lower-cased, length-prefixed) so lookups are
// a hash + memcmp. Ordering is the canonical DNS order of RFC 4034 6.1.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mailns::zone {

inline constexpr size_t kMaxNameWire = 255;
inline constexpr size_t kMaxLabel = 63;

// Lower-case one ASCII octet; other octets are left as they are (RFC 4343).
constexpr uint8_t dns_lower(uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + 32) : c;
}

// Writes the lookup form of an uncompressed, valid wire name into out
// (which must hold at least kMaxNameWire octets). Returns its length.
// Lookup form of "mail.example.org." is "\3org\7example\4mail": the lookup
// form of every ancestor is a prefix of it.
size_t make_lookup_form(const uint8_t* wire, size_t len, uint8_t* out) noexcept;

// Canonical order (RFC 4034 6.1) of two lookup forms: <0, 0, >0.
int compare_lookup_forms(const uint8_t* a, size_t an, const uint8_t* b, size_t bn) noexcept;

class DnsName {
 public:
  // The root name ".".
  DnsName();

  // Parses presentation format ("mail.example.org", "mail.example.org.",
  // escapes \. and \DDD). A name without a trailing dot is taken as absolute.
  // Returns nullopt and fills *error when the text is not a valid name.
  static std::optional<DnsName> from_text(std::string_view text, std::string* error = nullptr);
  // As from_text, but a name without trailing dot is relative to origin
  // and "@" is the origin (zone-file and declaration semantics).
  static std::optional<DnsName> from_text_relative(std::string_view text, const DnsName& origin,
                                                   std::string* error = nullptr);
  // Validates an uncompressed wire name (labels <= 63, total <= 255, ends at root).
  static std::optional<DnsName> from_wire(std::span<const uint8_t> wire);

  DnsName(const DnsName& o);
  DnsName(DnsName&& o) noexcept;
  DnsName& operator=(const DnsName& o);
  DnsName& operator=(DnsName&& o) noexcept;
  ~DnsName();

  std::span<const uint8_t> wire() const noexcept { return {reinterpret_cast<const uint8_t*>(data_ + 2), wire_len()}; }
  std::string_view lookup_form() const noexcept { return {data_ + 2 + wire_len(), wire_len() - 1u}; }
  size_t label_count() const noexcept { return static_cast<uint8_t>(data_[1]) & kLabelMask; }  // root has 0
  bool is_root() const noexcept { return label_count() == 0; }
  bool is_wildcard() const noexcept { return wire_len() >= 2 && data_[2] == 1 && data_[3] == '*'; }

  // True when this name equals other or lies below it.
  bool is_subdomain_of(const DnsName& other) const noexcept;
  // The name with the leftmost label removed; nullopt for the root.
  std::optional<DnsName> parent() const;
  // label + "." + this; nullopt when the result would be invalid.
  std::optional<DnsName> prepend(std::string_view label) const;
  // The leftmost label (raw octets), empty for the root.
  std::string_view first_label() const noexcept;

  // Presentation format with trailing dot, original case, RFC 1035 escapes.
  std::string to_text() const;

  // Packing into a block the caller owns (a zone's arena, ZoneBuilder): the
  // octets the name's block takes (0 for the root, which is shared), and
  // moving it to `at`, which must outlive this name and every move of it.
  // Copies of the name own a block of their own again.
  size_t block_size() const noexcept;
  void move_block_to(char* at) noexcept;

  friend bool operator==(const DnsName& a, const DnsName& b) noexcept { return a.lookup_form() == b.lookup_form(); }
  friend std::strong_ordering operator<=>(const DnsName& a, const DnsName& b) noexcept;

 private:
  explicit DnsName(std::string_view wire);
  size_t wire_len() const noexcept { return static_cast<uint8_t>(data_[0]); }  // 1..255
  std::string_view wire_view() const noexcept { return {data_ + 2, wire_len()}; }
  void release() noexcept;
  // One pointer to one block (a name is held by every node and record):
  // the wire length, the label count, the wire form, then the lookup form
  // (one octet shorter: no root label). The root shares a static block.
  // The label count's high bit: the block is not this name's to free.
  static constexpr uint8_t kLabelMask = 0x7F, kBorrowed = 0x80;
  const char* data_;
};

}  // namespace mailns::zone
