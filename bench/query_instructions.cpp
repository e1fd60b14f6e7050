// Runs handle_query over the first N queries of the generated workload with
// callgrind instrumentation switched on only around the query loop, so
//   valgrind --tool=callgrind --instr-atstart=no bench/query_instructions
// reports instructions per query without load time (a stable, noise-free
// signal; bench/callgrind.sh prints it). Also usable without valgrind.
#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "zone/handle_query.hpp"
#include "zone/rr_type.hpp"
#include "zone/zone_file.hpp"

using namespace mailns::zone;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s WORKLOAD_DIR [QUERIES] [DO=0|1]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const size_t count = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 20000;
  const bool do_bit = argc > 3 && std::string(argv[3]) == "1";
  std::vector<std::shared_ptr<const Zone>> zones;
  std::ifstream domains(dir + "/domains.txt");
  for (std::string d; std::getline(domains, d);) {
    auto res = load_zone_file(dir + "/zones/" + d + ".zone", *DnsName::from_text(d));
    if (!res.zone) {
      std::fprintf(stderr, "%s\n", res.errors.front().c_str());
      return 1;
    }
    zones.push_back(res.zone);
  }
  Snapshot snap(std::move(zones), AnswerOptions{});
  std::vector<std::vector<uint8_t>> queries;
  std::ifstream qf(dir + "/queries.txt");
  for (std::string line; std::getline(qf, line) && queries.size() < count;) {
    std::istringstream is(line);
    std::string name, type;
    is >> name >> type;
    const auto n = *DnsName::from_text(name);
    const uint16_t t = *type_from_text(type);
    std::vector<uint8_t> p = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    p.insert(p.end(), n.wire().begin(), n.wire().end());
    const uint8_t tail[] = {uint8_t(t >> 8), uint8_t(t), 0, 1, 0, 0, 41, 0x04, 0xd0, 0, 0,
                            uint8_t(do_bit ? 0x80 : 0), 0, 0, 0};
    p.insert(p.end(), tail, tail + sizeof tail);
    queries.push_back(std::move(p));
  }
  std::vector<std::byte> out(65535);
  size_t bytes = 0;
  CALLGRIND_START_INSTRUMENTATION;
  for (const auto& q : queries) bytes += handle_query(std::as_bytes(std::span(q)), out, snap);
  CALLGRIND_STOP_INSTRUMENTATION;
  std::printf("queries=%zu response_bytes=%zu\n", queries.size(), bytes);
  return 0;
}
