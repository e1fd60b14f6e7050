// Crash-safe file replacement: the new content goes to a temporary file in
// the same directory, is fsync'ed, renamed over the target and the directory
// is fsync'ed, so a reader (or a restart after a crash) sees either the old
// file or the new one, never a torn one. Used for key files and key state.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include <string>
#include <string_view>
#include <vector>

#include "dnssec/result.hpp"

namespace mailns::dnssec {

// Writes content to path atomically with the given permission bits (the
// temporary file is created with them, so the content is never readable by
// others, not even briefly). On failure the temporary file is removed and
// path is left as it was.
Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode);

// As write_file_atomic, but never replaces an existing file: the temporary
// file is hard-linked to path, which fails when path exists (EEXIST is
// reported as an error naming the path). For key files, which must never be
// overwritten.
Status write_new_file_atomic(const std::string& path, std::string_view content, mode_t mode);

// How a finished temporary file takes its place: replacing what is there
// (rename), or only where nothing is (hard link; EEXIST is an error).
enum class Place : uint8_t { kReplace, kCreateOnly };

// write_file_atomic or write_new_file_atomic by place.
Status write_atomic(const std::string& path, std::string_view content, mode_t mode, Place place);

// The steps of an atomic write, for callers that sync many files at once
// (file_batch.hpp). write_temporary writes content to a new temporary file
// beside path (".<name>.tmp.XXXXXX", see is_unfinished_write), created with
// mode and given to the directory's owner, fsync'ed when sync is set, and
// returns its path; on failure nothing is left behind. place_temporary puts
// it at path as place says; on failure the temporary file is removed. No
// directory is synced by either.
Result<std::string> write_temporary(const std::string& path, std::string_view content, mode_t mode, bool sync);
Status place_temporary(const std::string& tmp, const std::string& path, Place place);

// Run as root (a CLI command beside a server that dropped root to its user),
// gives the file or directory open as fd to the owner of dir, the directory
// it is in, so the server can still read and replace what root wrote there.
// Does nothing when not root or when dir belongs to root.
void give_to_directory_owner(int fd, const std::string& dir) noexcept;

// True when path exists (any file type).
bool file_exists(const std::string& path) noexcept;

// Creates a directory (and missing parents) with the given mode; an existing
// directory is accepted as it is. Returns an error naming the path otherwise.
Status make_directory(const std::string& path, mode_t mode);

// Moves path into to_dir (created with mode 0700 when missing) under its own
// name, or with ".1", ".2"... appended when that is taken, by rename (same
// filesystem), then syncs both directories. Returns the new path. For the
// leftovers of an interrupted change (key_recovery, zone archive): moved,
// never deleted.
Result<std::string> move_aside(const std::string& path, const std::string& to_dir);

// Syncs a directory so that renames and links in it are durable.
void sync_directory(const std::string& dir) noexcept;

// True when name is the temporary file of a write_file_atomic or
// write_new_file_atomic that did not finish (".<name>.tmp.XXXXXX").
bool is_unfinished_write(std::string_view name) noexcept;

// The paths of the unfinished writes directly in dir, sorted.
std::vector<std::string> unfinished_writes_in(const std::string& dir);

// Appends complete lines (text ending in '\n') to the log at path and
// fdatasyncs it; a log created by this call gets mode and, once written, a
// synced directory. A last line that a crash cut short (no '\n') is cut
// off first, so the new lines are never glued to it and it never becomes a
// complete line. On failure the lines may be partly there: readers take
// complete lines only, each standing alone.
Status append_lines_durably(const std::string& path, std::string_view lines, mode_t mode);
// The complete lines of a log read back (each ended by '\n'), without their
// '\n': what append_lines_durably wrote whole.
std::vector<std::string_view> complete_lines(std::string_view text);

// Reads a whole file; the error names the path and the reason.
Result<std::string> read_file(const std::string& path);

}  // namespace mailns::dnssec
