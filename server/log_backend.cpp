// The compiled parts of spdlog and fmt, built once into mailns_log from the
// headers Debian ships (MAILNS_STATIC_CXX, see the top CMakeLists.txt),
// instead of linking libspdlog.so and libfmt.so. With SPDLOG_COMPILED_LIB
// and without FMT_HEADER_ONLY the other files see declarations only; the
// *-inl.h headers below hold the definitions, included here alone.
//
// What is listed is what logging.cpp uses: the registry, loggers, the pattern
// formatter and the colour sink on stderr. The explicit instantiations are
// the templates those call that the headers only declare.

#include <fmt/format-inl.h>

#include <spdlog/common-inl.h>
#include <spdlog/details/backtracer-inl.h>
#include <spdlog/details/console_globals.h>
#include <spdlog/details/log_msg-inl.h>
#include <spdlog/details/log_msg_buffer-inl.h>
#include <spdlog/details/os-inl.h>
#include <spdlog/details/periodic_worker-inl.h>
#include <spdlog/details/registry-inl.h>
#include <spdlog/logger-inl.h>
#include <spdlog/pattern_formatter-inl.h>
#include <spdlog/sinks/ansicolor_sink-inl.h>
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/sink-inl.h>
#include <spdlog/sinks/stdout_color_sinks-inl.h>
#include <spdlog/spdlog-inl.h>

#include <mutex>

template class spdlog::sinks::base_sink<std::mutex>;
template class spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>;
template class spdlog::sinks::ansicolor_stderr_sink<spdlog::details::console_mutex>;

namespace fmt {
inline namespace v9 {
namespace detail {
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
template void vformat_to(buffer<char>&, string_view, basic_format_args<FMT_BUFFER_CONTEXT(char)>, locale_ref);
template void buffer<char>::append(const char*, const char*);
template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;
}  // namespace detail
}  // namespace v9
}  // namespace fmt
