// server/publish/archive_index: the zone archive's index and log as text.
// Lines round-trip; a later line for a file replaces the earlier; a log is
// read only after the index of its own generation; what is not an index
// line (no digest, a digest that is not SHA-256 hex, a serial past 32 bits,
// an unfinished last line) changes nothing.
#include <gtest/gtest.h>

#include <string>

#include "server/publish/archive_index.hpp"

namespace mailns::server {
namespace {

const std::string kA(64, 'a');
const std::string kB(64, 'B');

TEST(ArchiveIndex, LinesRoundTrip) {
  const IndexEntries written = {
      {"example.net.zone", IndexEntry{kA, std::nullopt, "1:2:3:4"}},
      {"example.org.zone", IndexEntry{kB, 2026113001u, ""}},
      {"root.zone", IndexEntry{kA, 0u, "x"}},
  };
  std::string text = generation_line(7);
  for (const auto& [file, e] : written) text += index_line(file, e);
  IndexEntries read;
  EXPECT_EQ(read_index_text(text, read), 7u);
  EXPECT_EQ(read, written);
}

TEST(ArchiveIndex, TheLogAppliesOnlyToItsGenerationLaterLinesWin) {
  IndexEntries entries;
  ASSERT_EQ(read_index_text(generation_line(3) + index_line("a.zone", {kA, 5u, "s0"}), entries), 3u);
  const std::string log = generation_line(3) + index_line("a.zone", {kB, 6u, "s1"}) +
                          index_line("b.zone", {kA, std::nullopt, "s2"}) + index_line("a.zone", {kA, 7u, ""});
  IndexEntries older = entries;
  EXPECT_EQ(apply_log_text(log, 4, older), std::nullopt);  // folded into an index since
  EXPECT_EQ(older, entries);
  EXPECT_EQ(apply_log_text("", 3, older), std::nullopt);
  ASSERT_EQ(apply_log_text(log, 3, entries), 3u);
  EXPECT_EQ(entries.at("a.zone"), (IndexEntry{kA, 7u, ""}));
  EXPECT_EQ(entries.at("b.zone"), (IndexEntry{kA, std::nullopt, "s2"}));
  // An index without a generation line (written by earlier versions) is generation 0.
  IndexEntries old;
  EXPECT_EQ(read_index_text(index_line("a.zone", {kA, 5u, ""}), old), 0u);
  EXPECT_EQ(apply_log_text(generation_line(0) + index_line("a.zone", {kB, 6u, ""}), 0, old), 1u);
  EXPECT_EQ(old.at("a.zone").digest, kB);
}

TEST(ArchiveIndex, WhatIsNotAnIndexLineChangesNothing) {
  IndexEntries entries;
  const std::string text = generation_line(1) + "a.zone\n" + "b.zone 00ab\n" + "c.zone " + std::string(64, 'g') +
                           "\n" + "# generation x\n" + "d.zone " + kA + " 99999999999\n" + "e.zone " + kA;
  EXPECT_EQ(read_index_text(text, entries), 1u);
  ASSERT_EQ(entries.size(), 1u);  // d.zone: its serial does not fit, so it is none
  EXPECT_EQ(entries.at("d.zone"), (IndexEntry{kA, std::nullopt, ""}));
}

}  // namespace
}  // namespace mailns::server
