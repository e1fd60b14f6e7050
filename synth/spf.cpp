#include "synth/spf.hpp"

#include <algorithm>
#include <sstream>

namespace mailns::synth {

namespace {
std::string qualifier_all(const std::string& all) {
  if (all == "softfail") return "~all";
  if (all == "neutral") return "?all";
  if (all == "pass") return "+all";
  return "-all";
}
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

std::string spf_text(const SpfDecl& s) {
  std::string t = "v=spf1";
  std::string modifiers;
  for (const auto& m : s.mechanisms) {
    if (m.rfind("redirect=", 0) == 0 || m.rfind("exp=", 0) == 0) modifiers += " " + m;
    else t += " " + m;
  }
  for (const auto& a : s.ip4) t += " ip4:" + a;
  for (const auto& a : s.ip6) t += " ip6:" + a;
  for (const auto& i : s.include) t += " include:" + i;
  if (!s.ra.empty()) modifiers += " ra=" + s.ra;
  return t + modifiers + " " + qualifier_all(s.all);
}

std::string spf_host_text(const SpfDecl& s) {
  std::string t = "v=spf1 a";
  if (!s.ra.empty()) t += " ra=" + s.ra;
  return t + " " + qualifier_all(s.all);
}

SpfTerms spf_terms(const std::string& record) {
  SpfTerms out;
  std::istringstream in(record);
  std::string term;
  in >> term;  // v=spf1
  while (in >> term) {
    std::string t = lower(term);
    if (!t.empty() && (t[0] == '+' || t[0] == '-' || t[0] == '~' || t[0] == '?')) {
      if (t.substr(1) == "all") out.all = t;
      t = t.substr(1);
    } else if (t == "all") {
      out.all = "+all";
    }
    auto target = [&](size_t skip) {
      std::string d = t.substr(skip);
      if (!d.empty() && d.back() == '.') d.pop_back();
      out.includes.push_back(d);
    };
    if (t.rfind("include:", 0) == 0) {
      ++out.lookups;
      target(8);
    } else if (t.rfind("redirect=", 0) == 0) {
      ++out.lookups;
      target(9);
    } else if (t == "a" || t.rfind("a:", 0) == 0 || t.rfind("a/", 0) == 0 || t == "mx" || t.rfind("mx:", 0) == 0 ||
               t.rfind("mx/", 0) == 0 || t == "ptr" || t.rfind("ptr:", 0) == 0 || t.rfind("exists:", 0) == 0) {
      ++out.lookups;
    }
  }
  return out;
}

}  // namespace mailns::synth
