// RecordingQueryLog: a QueryLog for tests that keeps a copy of every entry.
#pragma once

#include <vector>

#include "server/net/query_log.hpp"

namespace mailns::server {

struct RecordedQuery {
  QueryTransport transport;
  QueryEndpoint peer, local;
  std::vector<std::byte> query, response;
  timespec query_time, response_time;
};

class RecordingQueryLog : public QueryLog {
 public:
  void log(const LoggedQuery& e) noexcept override {
    entries.push_back({e.transport, e.peer, e.local, {e.query.begin(), e.query.end()},
                       {e.response.begin(), e.response.end()}, e.query_time, e.response_time});
  }
  std::vector<RecordedQuery> entries;
};

}  // namespace mailns::server
