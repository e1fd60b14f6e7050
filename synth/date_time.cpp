#include "synth/date_time.hpp"

namespace mailns::synth {

namespace {

// Reads exactly n digits at pos; false (pos unchanged) otherwise.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) noexcept {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

bool leap(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) noexcept {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar, with
// years counted from March so that February's length only matters last.
int64_t days_from_epoch(int y, int m, int d) noexcept {
  const int64_t yy = m <= 2 ? y - 1 : y;
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const int64_t year_of_era = yy - era * 400;
  const int64_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// "HH:MM:SS[.frac]" then "Z" or "+HH:MM"/"-HH:MM" (RFC 3339 5.6); the
// offset to subtract, in seconds, into *offset.
bool read_time(std::string_view s, size_t& pos, int64_t& seconds, int64_t& offset) noexcept {
  int hh = 0, mm = 0, ss = 0;
  if (!digits(s, pos, 2, hh) || !expect(s, pos, ':') || !digits(s, pos, 2, mm) || !expect(s, pos, ':') ||
      !digits(s, pos, 2, ss))
    return false;
  if (hh > 23 || mm > 59 || ss > 60) return false;  // 60: a leap second
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
  }
  seconds = hh * 3600 + mm * 60 + ss;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
    offset = 0;
    return true;
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return false;
  const int sign = s[pos++] == '-' ? -1 : 1;
  int oh = 0, om = 0;
  if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 || om > 59) return false;
  offset = sign * (oh * 3600 + om * 60);
  return true;
}

}  // namespace

std::optional<int64_t> parse_date_time(std::string_view s) noexcept {
  size_t pos = 0;
  int y = 0, m = 0, d = 0;
  if (!digits(s, pos, 4, y) || !expect(s, pos, '-') || !digits(s, pos, 2, m) || !expect(s, pos, '-') ||
      !digits(s, pos, 2, d))
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
  int64_t seconds = 0, offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!read_time(s, pos, seconds, offset)) return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return days_from_epoch(y, m, d) * 86400 + seconds - offset;
}

}  // namespace mailns::synth
