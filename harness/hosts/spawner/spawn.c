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
 *
 *   wvc-spawn REPORT_FD --burst K COMMAND [ARGS...]        (K from 1 to 64)
 *
 * A surge: takes t0 on CLOCK_MONOTONIC, then spawns K children of the same
 * argv and environment back to back with posix_spawnp, each with stdin
 * /dev/null, its own stdout and stderr pipes, fd 3 and REPORT_FD closed. All
 * pipes are read with poll (each capped at 64 KiB, the rest drained and
 * dropped); a reaper thread blocked in waitpid times each child's reap as it
 * happens, also while later ones are still being launched. REPORT_FD gets one
 * JSON line per child in launch order:
 *   {"i":N,"end_ms":X,"exit":C,"signal":S,"stdout":"...","stderr":"..."}
 * end_ms is t0 to that child's reap (exit -1 with signal S when it was killed;
 * exit 127 when it could not be spawned, with the reason in its stderr), then
 * one final line {"wall_ms":X} (t0 to the last reap). SIGTERM/SIGINT kill every
 * child with SIGKILL (the harness's time limit); they are still reaped and
 * reported. The spawner exits 0 once it has reported, 125 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
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

/* ---- burst ------------------------------------------------------------ */

#define BURST_MAX 64
#define CAP_BYTES (64 * 1024)

struct capture {
  char *buf;
  size_t len;
};

struct burst_child {
  pid_t pid; /* 0: not started */
  int out_fd, err_fd; /* -1 once at EOF */
  struct capture out, err;
  bool reaped;
  int status;
  double end_ms;
  int spawn_err;
};

static struct burst_child kids[BURST_MAX];
static volatile sig_atomic_t nkids = 0; /* slots launched so far (started or failed) */
static volatile sig_atomic_t killed = 0;
static struct timespec burst_t0;

/*
 * The reaper thread: blocks in wait4(-1), so each child's end is timed when it is
 * reaped, also while the main thread is still launching the later ones.
 */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t launched_cv = PTHREAD_COND_INITIALIZER;
static int started = 0;      /* children actually running (pid > 0), under mu */
static bool launch_done = false;

static void kill_all(int sig) {
  (void)sig;
  killed = 1;
  for (int i = 0; i < nkids; i++)
    if (kids[i].pid > 0 && !kids[i].reaped) kill(kids[i].pid, SIGKILL);
}

static double since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void *reaper(void *arg) {
  (void)arg;
  int reaped = 0;
  for (;;) {
    pthread_mutex_lock(&mu);
    while (reaped == started && !launch_done) pthread_cond_wait(&launched_cv, &mu);
    bool done = reaped == started && launch_done;
    pthread_mutex_unlock(&mu);
    if (done) return NULL;
    int status = 0;
    pid_t pid = wait4(-1, &status, 0, NULL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      perror("wvc-spawn: wait4");
      return NULL;
    }
    double end = since(&burst_t0);
    /* The launcher records a pid under mu right after posix_spawnp returns; wait for it if this one is that quick. */
    for (;;) {
      pthread_mutex_lock(&mu);
      int slot = -1;
      for (int i = 0; i < nkids; i++)
        if (kids[i].pid == pid && !kids[i].reaped) slot = i;
      if (slot >= 0) {
        kids[slot].status = status;
        kids[slot].end_ms = end;
        kids[slot].reaped = true;
      }
      pthread_mutex_unlock(&mu);
      if (slot >= 0) break;
      sched_yield();
    }
    reaped++;
  }
}

/* Reads what is there; returns false at EOF or on a read error. Past the cap, output is drained and dropped. */
static bool drain(int fd, struct capture *c) {
  char tmp[8192];
  ssize_t n = read(fd, tmp, sizeof tmp);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  size_t take = c->len < CAP_BYTES ? (size_t)n : 0;
  if (c->len + take > CAP_BYTES) take = CAP_BYTES - c->len;
  if (take) {
    memcpy(c->buf + c->len, tmp, take);
    c->len += take;
  }
  return true;
}

static void json_out(FILE *f, const char *s, size_t n) {
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c == '\n') fputs("\\n", f);
    else if (c == '\r') fputs("\\r", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
    else fputc(c, f); /* bytes >= 0x80 pass through; the harness decodes UTF-8 */
  }
  fputc('"', f);
}

static int burst(int report_fd, int k, char **cmd) {
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) {
    perror("wvc-spawn: /dev/null");
    return 125;
  }
  for (int i = 0; i < k; i++) {
    kids[i].out.buf = malloc(CAP_BYTES);
    kids[i].err.buf = malloc(CAP_BYTES);
    kids[i].out_fd = kids[i].err_fd = -1;
    if (!kids[i].out.buf || !kids[i].err.buf) {
      fprintf(stderr, "wvc-spawn: out of memory\n");
      return 125;
    }
  }
  /* SIGTERM/SIGINT: blocked in the reaper, and in the launcher while a child is being recorded. */
  sigset_t term, none;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGINT);
  sigemptyset(&none);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = kill_all;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* The children start with an empty signal mask and default dispositions, whatever the spawner blocks. */
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t deflt;
  sigemptyset(&deflt);
  sigaddset(&deflt, SIGCHLD);
  sigaddset(&deflt, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &deflt);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &term, &old);
  pthread_t reap_thread;
  clock_gettime(CLOCK_MONOTONIC, &burst_t0);
  int e = pthread_create(&reap_thread, NULL, reaper, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (e) {
    fprintf(stderr, "wvc-spawn: cannot start the reaper thread: %s\n", strerror(e));
    return 125;
  }
  for (int i = 0; i < k; i++) {
    struct burst_child *c = &kids[i];
    int po[2], pe[2];
    int err = 0;
    if (pipe2(po, O_CLOEXEC) != 0) err = errno;
    else if (pipe2(pe, O_CLOEXEC) != 0) { err = errno; close(po[0]); close(po[1]); }
    if (err) {
      c->spawn_err = err;
      c->end_ms = since(&burst_t0);
      nkids = i + 1;
      continue;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, devnull, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    /* fd 3 and REPORT_FD are closed in the child (a no-op where they are not open). */
    if (report_fd != 3) posix_spawn_file_actions_addclose(&fa, 3);
    if (report_fd > 2) posix_spawn_file_actions_addclose(&fa, report_fd);
    pid_t pid = 0;
    pthread_sigmask(SIG_BLOCK, &term, &old);
    pthread_mutex_lock(&mu);
    err = killed ? ECANCELED : posix_spawnp(&pid, cmd[0], &fa, &attr, cmd, environ);
    if (!err) {
      c->pid = pid;
      started++;
    }
    nkids = i + 1;
    pthread_cond_signal(&launched_cv);
    pthread_mutex_unlock(&mu);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (err) {
      c->spawn_err = err;
      c->end_ms = since(&burst_t0);
      close(po[0]);
      close(pe[0]);
      continue;
    }
    c->out_fd = po[0];
    c->err_fd = pe[0];
  }
  pthread_mutex_lock(&mu);
  launch_done = true;
  pthread_cond_signal(&launched_cv);
  pthread_mutex_unlock(&mu);
  posix_spawnattr_destroy(&attr);

  /* Read every pipe until EOF. */
  struct pollfd pfd[2 * BURST_MAX];
  int owner[2 * BURST_MAX];
  for (;;) {
    int n = 0;
    for (int i = 0; i < k; i++) {
      if (kids[i].out_fd >= 0) { pfd[n].fd = kids[i].out_fd; pfd[n].events = POLLIN; owner[n++] = 2 * i; }
      if (kids[i].err_fd >= 0) { pfd[n].fd = kids[i].err_fd; pfd[n].events = POLLIN; owner[n++] = 2 * i + 1; }
    }
    if (n == 0) break;
    int r = poll(pfd, (nfds_t)n, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      perror("wvc-spawn: poll");
      break;
    }
    for (int j = 0; j < n; j++) {
      if (!(pfd[j].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      struct burst_child *c = &kids[owner[j] / 2];
      bool is_err = owner[j] % 2;
      int *fd = is_err ? &c->err_fd : &c->out_fd;
      if (!drain(*fd, is_err ? &c->err : &c->out)) {
        close(*fd);
        *fd = -1;
      }
    }
  }
  /* Every pipe is at EOF; the reaper ends once every started child is reaped. */
  pthread_join(reap_thread, NULL);

  double wall_ms = 0;
  FILE *f = fdopen(report_fd, "w");
  if (!f) return 0; /* no report pipe: run by hand */
  for (int i = 0; i < k; i++) {
    struct burst_child *c = &kids[i];
    int code = 127, sig = 0;
    if (c->pid > 0) {
      code = WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1;
      sig = WIFSIGNALED(c->status) ? WTERMSIG(c->status) : 0;
    } else if (c->spawn_err == ECANCELED) {
      int m = snprintf(c->err.buf, CAP_BYTES, "wvc-spawn: not started: the burst was killed first\n");
      c->err.len = m > 0 ? (size_t)m : 0;
    } else {
      int m = snprintf(c->err.buf, CAP_BYTES, "wvc-spawn: cannot execute %s: %s\n", cmd[0], strerror(c->spawn_err));
      c->err.len = m > 0 ? (size_t)m : 0;
    }
    if (c->end_ms > wall_ms) wall_ms = c->end_ms;
    fprintf(f, "{\"i\":%d,\"end_ms\":%.3f,\"exit\":%d,\"signal\":%d,\"stdout\":", i, c->end_ms, code, sig);
    json_out(f, c->out.buf, c->out.len);
    fputs(",\"stderr\":", f);
    json_out(f, c->err.buf, c->err.len);
    fputs("}\n", f);
  }
  fprintf(f, "{\"wall_ms\":%.3f}\n", wall_ms);
  fclose(f);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[2], "--burst") == 0) {
    char *end = NULL;
    long k = argc >= 5 ? strtol(argv[3], &end, 10) : 0;
    if (argc < 5 || !end || *end || k < 1 || k > BURST_MAX) {
      fprintf(stderr, "usage: wvc-spawn REPORT_FD --burst K COMMAND [ARGS...] (K from 1 to %d)\n", BURST_MAX);
      return 125;
    }
    return burst(atoi(argv[1]), (int)k, argv + 4);
  }
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
