#include "zone/rr_text.hpp"

#include <memory>

#include "zone/ldns_bridge.hpp"
#include "zone/rr_type.hpp"

namespace mailns::zone {

namespace detail {
std::optional<Record> record_from_ldns(const ldns_rr* rr, std::string* error) {
  const ldns_rdf* owner = ldns_rr_owner(rr);
  auto name = DnsName::from_wire({ldns_rdf_data(owner), ldns_rdf_size(owner)});
  if (!name) {
    if (error) *error = "invalid owner name";
    return std::nullopt;
  }
  ldns_buffer* buf = ldns_buffer_new(512);
  std::unique_ptr<ldns_buffer, void (*)(ldns_buffer*)> guard(buf, ldns_buffer_free);
  if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
    if (error) *error = "cannot encode RDATA";
    return std::nullopt;
  }
  Record r{*name, static_cast<uint16_t>(ldns_rr_get_type(rr)), static_cast<uint16_t>(ldns_rr_get_class(rr)),
           ldns_rr_ttl(rr), {}};
  r.rdata.assign(ldns_buffer_begin(buf), ldns_buffer_begin(buf) + ldns_buffer_position(buf));
  if (r.rdata.size() > 65535) {
    if (error) *error = "RDATA longer than 65535 octets";
    return std::nullopt;
  }
  RdataName names[2];
  if (rdata_names(r.type, r.rdata, names) < 0) {
    if (error) *error = "malformed RDATA for type " + type_to_text(r.type);
    return std::nullopt;
  }
  return r;
}
}  // namespace detail

std::optional<Record> record_from_text(std::string_view line, const DnsName& origin, uint32_t default_ttl,
                                       std::string* error) {
  ldns_rdf* origin_rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin.wire().size(), origin.wire().data());
  ldns_rr* rr = nullptr;
  std::string s(line);
  const ldns_status st = ldns_rr_new_frm_str(&rr, s.c_str(), default_ttl, origin_rdf, nullptr);
  ldns_rdf_deep_free(origin_rdf);
  if (st != LDNS_STATUS_OK) {
    if (error) *error = std::string(ldns_get_errorstr_by_id(st)) + " in '" + s + "'";
    return std::nullopt;
  }
  auto rec = detail::record_from_ldns(rr, error);
  ldns_rr_free(rr);
  return rec;
}

namespace {
ldns_rr* to_ldns(const DnsName& owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
  std::vector<uint8_t> w(owner.wire().begin(), owner.wire().end());
  const uint8_t fixed[10] = {uint8_t(type >> 8), uint8_t(type), 0, 1, uint8_t(ttl >> 24), uint8_t(ttl >> 16),
                             uint8_t(ttl >> 8), uint8_t(ttl), uint8_t(rdata.size() >> 8), uint8_t(rdata.size())};
  w.insert(w.end(), fixed, fixed + 10);
  w.insert(w.end(), rdata.begin(), rdata.end());
  ldns_rr* rr = nullptr;
  size_t pos = 0;
  if (ldns_wire2rr(&rr, w.data(), w.size(), &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) return nullptr;
  return rr;
}

std::string hex_generic(std::span<const uint8_t> rdata) {
  static const char* kHex = "0123456789abcdef";
  std::string s = "\\# " + std::to_string(rdata.size());
  if (!rdata.empty()) s += ' ';
  for (uint8_t b : rdata) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}
}  // namespace

std::string rdata_to_text(uint16_t type, std::span<const uint8_t> rdata) {
  ldns_rr* rr = to_ldns(DnsName(), type, 0, rdata);
  if (!rr) return hex_generic(rdata);
  std::string out;
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    char* t = ldns_rdf2str(ldns_rr_rdf(rr, i));
    if (!t) {
      ldns_rr_free(rr);
      return hex_generic(rdata);
    }
    if (i) out += ' ';
    out += t;
    free(t);
  }
  ldns_rr_free(rr);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string record_to_text(const DnsName& owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata) {
  std::string type_text = type_to_text(type);
  std::string rd = rdata_to_text(type, rdata);
  if (type_text.rfind("TYPE", 0) == 0 && rd.rfind("\\#", 0) != 0) rd = hex_generic(rdata);
  return owner.to_text() + '\t' + std::to_string(ttl) + "\tIN\t" + type_text + '\t' + rd;
}

}  // namespace mailns::zone
