#include "zone/zone_file.hpp"

#include <stdio_ext.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "zone/ldns_bridge.hpp"
#include "zone/rr_text.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace {
ZoneLoadResult load_from_fp(FILE* fp, const DnsName& origin, const std::string& source, PreparedAnswers prepared) {
  ZoneLoadResult res;
  // Only this thread reads fp: ldns takes it a character at a time, each
  // without taking the stream's lock.
  __fsetlocking(fp, FSETLOCKING_BYCALLER);
  ZoneBuilder builder(origin);
  ldns_rdf* cur_origin = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin.wire().size(), origin.wire().data());
  ldns_rdf* prev = nullptr;
  uint32_t default_ttl = 3600;
  int line = 1;
  bool saw_ttl = false;
  while (!feof(fp)) {
    ldns_rr* rr = nullptr;
    const int start_line = line;
    const ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &default_ttl, &cur_origin, &prev, &line);
    if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_ORIGIN) continue;
    if (st == LDNS_STATUS_SYNTAX_TTL) {
      saw_ttl = true;
      continue;
    }
    if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
      res.errors.push_back(source + ":" + std::to_string(start_line) + ": $INCLUDE is not supported; inline the file");
      continue;
    }
    if (st != LDNS_STATUS_OK) {
      if (feof(fp) && st == LDNS_STATUS_SYNTAX_ERR && line == start_line) break;
      res.errors.push_back(source + ":" + std::to_string(start_line) + ": " + ldns_get_errorstr_by_id(st));
      if (res.errors.size() > 50) break;
      continue;
    }
    std::string err;
    auto rec = detail::record_from_ldns(rr, &err);
    ldns_rr_free(rr);
    if (!rec) {
      res.errors.push_back(source + ":" + std::to_string(start_line) + ": " + err);
      continue;
    }
    if (!builder.add(std::move(*rec))) {
      res.errors.push_back(source + ":" + std::to_string(start_line) + ": " + builder.errors().back());
    }
  }
  (void)saw_ttl;
  ldns_rdf_deep_free(cur_origin);
  if (prev) ldns_rdf_deep_free(prev);
  for (const auto& w : builder.warnings()) res.warnings.push_back(source + ": " + w);
  if (!res.errors.empty()) return res;
  res.zone = builder.build(prepared);
  if (!res.zone) {
    for (const auto& e : builder.errors()) res.errors.push_back(source + ": " + e);
  }
  for (size_t i = res.warnings.size(); i < builder.warnings().size(); ++i)
    res.warnings.push_back(source + ": " + builder.warnings()[i]);
  return res;
}
}  // namespace

ZoneLoadResult load_zone_file(const std::string& path, const DnsName& origin, PreparedAnswers prepared) {
  FILE* fp = std::fopen(path.c_str(), "r");
  if (!fp) {
    ZoneLoadResult res;
    res.errors.push_back(path + ": cannot open zone file: " + std::strerror(errno));
    return res;
  }
  auto res = load_from_fp(fp, origin, path, prepared);
  std::fclose(fp);
  return res;
}

ZoneLoadResult load_zone_text(const std::string& text, const DnsName& origin, const std::string& source_name) {
  FILE* fp = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
  if (!fp) {
    ZoneLoadResult res;
    res.errors.push_back(source_name + ": cannot read zone text");
    return res;
  }
  auto res = load_from_fp(fp, origin, source_name, PreparedAnswers::kYes);
  std::fclose(fp);
  return res;
}

std::string export_zone(const Zone& zone) {
  std::string out;
  auto rrset = [&](const Node& n, const RRset& s) {
    for (const auto& rd : s.rdatas) out += record_to_text(n.name(), s.type, s.ttl, rd) + '\n';
    for (const auto& sig : s.sigs) out += record_to_text(n.name(), rrtype::RRSIG, s.sig_ttl, sig) + '\n';
  };
  for_each_rrset_in_file_order(zone, rrset);
  return out;
}

}  // namespace mailns::zone
