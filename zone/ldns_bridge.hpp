// Internal helpers converting between ldns objects and mailns records. Only
// zone/ .cpp files include this (it pulls in ldns headers).
#pragma once

#include <ldns/ldns.h>

#include <optional>
#include <string>

#include "zone/record.hpp"

namespace mailns::zone::detail {

// Converts a parsed ldns_rr into a Record; nullopt (with error) when the
// owner or RDATA is not valid wire data.
std::optional<Record> record_from_ldns(const ldns_rr* rr, std::string* error);

}  // namespace mailns::zone::detail
