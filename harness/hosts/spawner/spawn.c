/*
 * wvc-spawn: runs one command and reports what Node's spawn API cannot — the
 * child's peak RSS (ru_maxrss from wait4) — on a report fd.
 *
 *   wvc-spawn REPORT_FD COMMAND [ARGS...]
 *
 * stdin/stdout/stderr and fd 3 (the hosts' phase side channel) pass through to
 * the child unchanged. After the child exits, one JSON line goes to REPORT_FD:
 *   {"maxrss_kb":N,"wall_ms":X,"exit":C,"signal":S}
 * wall_ms is spawn-to-reap on CLOCK_MONOTONIC. The child is started with
 * posix_spawnp (vfork and exec, as hyperfine's Rust std::process does), not
 * fork: copying the spawner's page tables is the harness's cost, not the
 * runtime's (about 0.08 ms of a 0.5 ms static binary here). The spawner exits with the
 * child's exit code, or 128+signal. SIGTERM/SIGINT are forwarded to the child
 * as SIGKILL, so a harness timeout never leaves an orphan behind.
 * Exit 127: the command could not be executed (errno on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static volatile pid_t child = 0;

static void forward(int sig) {
  (void)sig;
  if (child > 0) kill(child, SIGKILL);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: wvc-spawn REPORT_FD COMMAND [ARGS...]\n");
    return 125;
  }
  int report_fd = atoi(argv[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (report_fd > 2) posix_spawn_file_actions_addclose(&fa, report_fd);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid;
  // Caught signals revert to their default in the child at exec.
  int err = posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ);
  if (err) {
    fprintf(stderr, "wvc-spawn: cannot execute %s: %s\n", argv[2], strerror(err));
    return 127;
  }
  child = pid;
  int status = 0;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("wvc-spawn: wait4");
      return 125;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double wall_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  char line[160];
  int n = snprintf(line, sizeof line, "{\"maxrss_kb\":%ld,\"wall_ms\":%.3f,\"exit\":%d,\"signal\":%d}\n", ru.ru_maxrss, wall_ms, code, sig);
  if (write(report_fd, line, (size_t)n) < 0) { /* no report pipe: run by hand */ }
  return sig ? 128 + sig : code;
}
