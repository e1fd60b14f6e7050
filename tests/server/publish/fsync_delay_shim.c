/* LD_PRELOAD shim for the crash test (crash_test.py): fsync, fdatasync and
 * syncfs sleep MAILNS_FSYNC_DELAY_MS (default 200, at most 1000) before
 * doing their work, so a disk looks slow and a SIGKILL lands between the
 * writes of a multi-file change far more often than on a fast disk. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void slow_disk(void) {
  const char* e = getenv("MAILNS_FSYNC_DELAY_MS");
  long ms = e ? strtol(e, NULL, 10) : 200;
  if (ms < 0) ms = 0;
  if (ms > 1000) ms = 1000;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  slow_disk();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  slow_disk();
  return real(fd);
}

int syncfs(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
  slow_disk();
  return real(fd);
}
