// The OPT record writer: the octets of RFC 6891 6.1.2 with the extended
// rcode, DO and an optional Extended DNS Error (RFC 8914), and rollback when
// the record does not fit.
#include "zone/opt_record.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "zone/answer_plan.hpp"

namespace mailns::zone {
namespace {

std::vector<uint8_t> written(const std::vector<uint8_t>& buf, const WireWriter& w) {
  return {buf.begin(), buf.begin() + static_cast<ptrdiff_t>(w.size())};
}

TEST(OptRecord, PlainRecordCarriesPayloadAndDo) {
  std::vector<uint8_t> buf(64);
  WireWriter w(buf, buf.size());
  ASSERT_TRUE(write_opt_record(w, 1232, rcode::kNoError, true));
  EXPECT_EQ(written(buf, w), (std::vector<uint8_t>{0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0}));
  EXPECT_EQ(w.size(), opt_record_size());
}

TEST(OptRecord, ExtendedRcodeIsTheUpperBits) {
  std::vector<uint8_t> buf(64);
  WireWriter w(buf, buf.size());
  ASSERT_TRUE(write_opt_record(w, 512, rcode::kBadVers, false));  // 16: 1 in EXTENDED-RCODE, 0 in the header
  EXPECT_EQ(written(buf, w), (std::vector<uint8_t>{0, 0, 41, 0x02, 0x00, 1, 0, 0, 0, 0, 0}));
}

TEST(OptRecord, ExtendedDnsErrorWithoutExtraText) {
  std::vector<uint8_t> buf(64);
  WireWriter w(buf, buf.size());
  w.u16(0xabcd);  // something before it
  ASSERT_TRUE(write_opt_record(w, 1232, rcode::kRefused, false, {.ede = ede::kNotAuthoritative}));
  EXPECT_EQ(written(buf, w), (std::vector<uint8_t>{0xab, 0xcd, 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 6,  //
                                                   0, 15, 0, 2, 0, 20}));
  EXPECT_EQ(w.size(), 2 + opt_record_size({.ede = ede::kNotAuthoritative}));
}

TEST(OptRecord, RollsBackWhenItDoesNotFit) {
  std::vector<uint8_t> buf(64);
  WireWriter w(buf, 2 + kOptRecordSize + kEdeOptionSize - 1);
  w.u16(0xabcd);
  EXPECT_FALSE(write_opt_record(w, 1232, rcode::kRefused, false, {.ede = ede::kNotAuthoritative}));
  EXPECT_EQ(w.size(), 2u);
  EXPECT_FALSE(w.overflow());
  ASSERT_TRUE(write_opt_record(w, 1232, rcode::kRefused, false));  // without the option it fits
  EXPECT_EQ(w.size(), 2 + kOptRecordSize);
}

TEST(OptRecord, PutWritesTheSameOctets) {
  std::vector<uint8_t> buf(64), put(opt_record_size({.ede = 0}));
  WireWriter w(buf, buf.size());
  ASSERT_TRUE(write_opt_record(w, 4096, 0x0ff3, true, {.ede = 0}));
  ASSERT_EQ(put_opt_record(put, 4096, 0x0ff3, true, {.ede = 0}), w.size());
  EXPECT_EQ(written(buf, w), put);
  EXPECT_EQ(put[5], 0xff);
}

TEST(OptRecord, EdeThenNsid) {
  const uint8_t nsid[] = {'n', 's', '1'};
  std::vector<uint8_t> buf(64);
  WireWriter w(buf, buf.size());
  ASSERT_TRUE(write_opt_record(w, 1232, rcode::kRefused, false, {.ede = ede::kNotAuthoritative, .nsid = nsid}));
  ASSERT_EQ(w.size(), opt_record_size({.ede = ede::kNotAuthoritative, .nsid = nsid}));
  const std::vector<uint8_t> options = {0, 15, 0, 2, 0, ede::kNotAuthoritative, 0, 3, 0, 3, 'n', 's', '1'};
  EXPECT_EQ(buf[9] << 8 | buf[10], 13);  // RDLENGTH
  EXPECT_EQ(std::vector<uint8_t>(buf.begin() + 11, buf.begin() + 24), options);
}

TEST(OptRecord, CookieAfterNsid) {
  const uint8_t nsid[] = {'n', 's'};
  const uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<uint8_t> buf(64);
  WireWriter w(buf, buf.size());
  ASSERT_TRUE(write_opt_record(w, 1232, rcode::kNoError, false, {.ede = std::nullopt, .nsid = nsid, .cookie = cookie}));
  ASSERT_EQ(w.size(), kOptRecordSize + 4 + 2 + 4 + 8);
  const std::vector<uint8_t> options = {0, 3, 0, 2, 'n', 's', 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(buf[9] << 8 | buf[10], 18);  // RDLENGTH
  EXPECT_EQ(std::vector<uint8_t>(buf.begin() + 11, buf.begin() + 29), options);
}

}  // namespace
}  // namespace mailns::zone
