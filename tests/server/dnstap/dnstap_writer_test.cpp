#include "server/dnstap/dnstap_writer.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>

#include "test_dir.hpp"

namespace mailns::server {
namespace {

using testing::TestDir;

// A unix socket that takes connections into its backlog and never answers:
// a collector that has stopped reading. fstrm's writer thread waits on it
// for the handshake, so nothing leaves the workers' queues.
class SilentCollector {
 public:
  explicit SilentCollector(const std::string& path) : fd_(socket(AF_UNIX, SOCK_STREAM, 0)) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(listen(fd_, 4), 0);
  }
  // Closing resets the waiting connection: the writer thread can stop.
  ~SilentCollector() { close(fd_); }

 private:
  int fd_;
};

TEST(DnstapWriterTest, AFullQueueDropsAndCountsWithoutBlocking) {
  TestDir dir;
  DnstapSettings settings;
  settings.socket = dir.file("dnstap.sock");
  auto collector = std::make_unique<SilentCollector>(settings.socket);
  DnstapWriter writer(settings, 2, "test", "mailns test");
  ASSERT_NE(writer.sink(1), nullptr);
  EXPECT_EQ(writer.sink(2), nullptr);

  const std::byte query[12] = {}, response[12] = {std::byte{1}};
  LoggedQuery entry;
  entry.peer = {*IpAddress::parse("127.0.0.1"), 1234};
  entry.local = {*IpAddress::parse("127.0.0.1"), 53};
  entry.query = query;
  entry.response = response;
  constexpr uint64_t kQueries = 3 * DnstapWriter::kQueueSize;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < kQueries; ++i) writer.sink(0)->log(entry);
  const auto elapsed = std::chrono::steady_clock::now() - start;

  const DnstapTotals t = writer.totals();
  EXPECT_EQ(t.sent + t.dropped, 2 * kQueries);  // an AUTH_QUERY and an AUTH_RESPONSE each
  EXPECT_LE(t.sent, DnstapWriter::kQueueSize);   // all the queue holds: the writer is stuck
  EXPECT_GE(t.dropped, 2 * kQueries - DnstapWriter::kQueueSize);
  EXPECT_LT(elapsed, std::chrono::seconds(2));  // never waited for the collector
  // Before the writer's destructor, which joins its thread.
  collector.reset();
}

}  // namespace
}  // namespace mailns::server
