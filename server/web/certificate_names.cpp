#include "server/web/certificate_names.hpp"

#include <cctype>

namespace mailns::server {

namespace {

std::string_view without_final_dot(std::string_view s) noexcept {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool is_wildcard(std::string_view pattern) noexcept { return pattern.size() > 2 && pattern.substr(0, 2) == "*."; }

}  // namespace

bool certificate_name_matches(std::string_view pattern, std::string_view host) noexcept {
  pattern = without_final_dot(pattern);
  host = without_final_dot(host);
  if (host.empty() || pattern.empty()) return false;
  if (!is_wildcard(pattern)) return equal_ignoring_case(pattern, host);
  // RFC 6125 6.4.3: "*" stands for exactly one whole label.
  const size_t dot = host.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  return equal_ignoring_case(pattern.substr(2), host.substr(dot + 1));
}

size_t select_certificate(std::span<const std::vector<std::string>> names, std::string_view sni) noexcept {
  if (sni.empty()) return 0;
  for (bool wildcards : {false, true})
    for (size_t i = 0; i < names.size(); ++i)
      for (const std::string& n : names[i])
        if (is_wildcard(n) == wildcards && certificate_name_matches(n, sni)) return i;
  return 0;
}

}  // namespace mailns::server
