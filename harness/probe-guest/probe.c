/*
 * wvc-probe - the harness's own probe guest.
 *
 *   wvc-probe --probe=NAME [--target-path=P] [--port=N] [--seconds=S]
 *
 * One C99 source, libc only, built by the harness as a static native binary,
 * a wasm32-wasip1 core module, a WASI 0.2 command component and a FROM-scratch
 * image, and run under exactly the configuration each target gives a workload
 * (its grants, flags, limits and network mode), so that every workload gets a
 * capability matrix whether or not the program itself has a probe mode. It
 * attempts one capability (file, env, socket, clock, random, memory, CPU) and
 * prints one JSON line; the protocol is "Probe mode" in
 * modules/tax-calculator/README.md.
 *
 * Built with -DWVC_PROBE_LIBRARY it has no main and a workload links it for its
 * own probe mode (the C tax calculator does): wvc_probe_main() is then the
 * workload's `--probe=` entry, with the workload's default grant path.
 */
#define _DEFAULT_SOURCE /* getentropy, clock_gettime, nanosleep */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifndef __wasi__
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#define EXIT_USAGE 2

int wvc_probe_main(int argc, char **argv, const char *default_grant);

/* A usage error: one JSON line on stderr, exit 2 (the tax path's format). */
static int probe_usage(const char *message)
{
    fprintf(stderr, "{\"error\":\"usage\",\"message\":\"%s\"}\n", message);
    return EXIT_USAGE;
}

/* ---- probe mode ------------------------------------------------------ */

#define PROBE_DATA_MAX 200
#define PROBE_FILE "wvc-probe.txt"
#define BOMB_STEP_BYTES (16UL << 20)
#define BOMB_STEPS 64 /* 64 x 16 MiB = 1 GiB */

static void json_str(const char *s, size_t n)
{
    size_t i;
    putchar('"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\r') fputs("\\r", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void json_cstr(const char *s) { json_str(s, strlen(s)); }

/* One line: {"probe":..,"result":..[,"errno":..,"error":..][,"detail":..][,"data":..][,"mib":..]} */
static int probe_report(const char *name, const char *result, int err, const char *detail, const char *data,
                        size_t ndata, long mib)
{
    fputs("{\"probe\":", stdout);
    json_cstr(name);
    fputs(",\"result\":", stdout);
    json_cstr(result);
    if (err >= 0) {
        printf(",\"errno\":%d,\"error\":", err);
        json_cstr(err ? strerror(err) : "not set");
    }
    if (detail) { fputs(",\"detail\":", stdout); json_cstr(detail); }
    if (data) { fputs(",\"data\":", stdout); json_str(data, ndata); }
    if (mib >= 0) printf(",\"mib\":%ld", mib);
    fputs("}\n", stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}

static int probe_read(const char *name, const char *path)
{
    char buf[PROBE_DATA_MAX];
    size_t n;
    FILE *f = fopen(path, "rb");
    if (!f) { int e = errno; return probe_report(name, "error", e, "fopen(target-path, \"rb\") failed", NULL, 0, -1); }
    n = fread(buf, 1, sizeof buf, f);
    if (ferror(f)) { int e = errno; fclose(f); return probe_report(name, "error", e, "fread failed", NULL, 0, -1); }
    fclose(f);
    return probe_report(name, "ok", -1, "read the file", buf, n, -1);
}

/* Creates (or appends to) DIR/wvc-probe.txt. */
static int probe_write(const char *name, const char *dir)
{
    char path[1024];
    FILE *f;
    int e;
    if (snprintf(path, sizeof path, "%s/" PROBE_FILE, dir) >= (int)sizeof path)
        return probe_report(name, "error", ENAMETOOLONG, "target-path too long", NULL, 0, -1);
    f = fopen(path, "ab");
    if (!f) { e = errno; return probe_report(name, "error", e, "fopen(target-path/" PROBE_FILE ", \"ab\") failed", NULL, 0, -1); }
    if (fputs("wvc probe write\n", f) == EOF) { e = errno; fclose(f); return probe_report(name, "error", e, "write failed", NULL, 0, -1); }
    if (fclose(f) != 0) { e = errno; return probe_report(name, "error", e, "close (flush) failed", NULL, 0, -1); }
    return probe_report(name, "ok", -1, "created or appended target-path/" PROBE_FILE, NULL, 0, -1);
}

static int probe_env(const char *name)
{
    const char *v = getenv("WVC_SECRET");
    if (!v) return probe_report(name, "error", 0, "getenv(\"WVC_SECRET\") returned NULL", NULL, 0, -1);
    return probe_report(name, "ok", -1, "WVC_SECRET is set", v, strlen(v), -1);
}

static int probe_net(const char *name, const char *port_s)
{
#ifdef __wasi__
    (void)port_s;
    return probe_report(name, "absent", -1, "wasi preview1 has no sockets", NULL, 0, -1);
#else
    struct sockaddr_in a;
    long port = port_s ? strtol(port_s, NULL, 10) : 0;
    int fd, e;
    char msg[96];
    if (port < 1 || port > 65535) return probe_report(name, "error", EINVAL, "--port=N (1-65535) is required", NULL, 0, -1);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { e = errno; return probe_report(name, "error", e, "socket(AF_INET, SOCK_STREAM) failed", NULL, 0, -1); }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1 only */
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        e = errno;
        close(fd);
        return probe_report(name, "error", e, "connect(127.0.0.1) failed", NULL, 0, -1);
    }
    if (write(fd, "x", 1) != 1) {
        e = errno;
        close(fd);
        return probe_report(name, "error", e, "connected to 127.0.0.1 but write failed", NULL, 0, -1);
    }
    close(fd);
    snprintf(msg, sizeof msg, "connected to 127.0.0.1:%ld and wrote 1 byte", port);
    return probe_report(name, "ok", -1, msg, NULL, 0, -1);
#endif
}

static int probe_clock(const char *name)
{
    struct timespec rt, mono;
    char msg[128];
    int e;
    if (clock_gettime(CLOCK_REALTIME, &rt) != 0) { e = errno; return probe_report(name, "error", e, "clock_gettime(CLOCK_REALTIME) failed", NULL, 0, -1); }
    if (clock_gettime(CLOCK_MONOTONIC, &mono) != 0) { e = errno; return probe_report(name, "error", e, "clock_gettime(CLOCK_MONOTONIC) failed", NULL, 0, -1); }
    snprintf(msg, sizeof msg, "realtime %lld.%09ld monotonic %lld.%09ld", (long long)rt.tv_sec, (long)rt.tv_nsec,
             (long long)mono.tv_sec, (long)mono.tv_nsec);
    return probe_report(name, "ok", -1, msg, NULL, 0, -1);
}

static int probe_random(const char *name)
{
    unsigned char b[16];
    char hex[33];
    int i, e;
    if (getentropy(b, sizeof b) != 0) { e = errno; return probe_report(name, "error", e, "getentropy(16) failed", NULL, 0, -1); }
    for (i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", b[i]);
    return probe_report(name, "ok", -1, "getentropy: 16 bytes", hex, 32, -1);
}

static int probe_mem_bomb(const char *name)
{
    long step;
    size_t off;
    for (step = 0; step < BOMB_STEPS; step++) {
        volatile unsigned char *p = malloc(BOMB_STEP_BYTES);
        if (!p) {
            int e = errno;
            return probe_report(name, "error", e, "malloc failed; mib = MiB allocated and touched before", NULL, 0, step * 16);
        }
        for (off = 0; off < BOMB_STEP_BYTES; off += 4096) p[off] = (unsigned char)(step + 1); /* touch every page */
    }
    return probe_report(name, "ok", -1, "allocated and touched every step", NULL, 0, step * 16);
}

static int probe_cpu_spin(void)
{
    volatile unsigned long n = 0;
    for (;;) n++;
    return 0; /* not reached */
}

/* Prints its ready line, then sleeps S seconds (1..3600) and exits 0: a live instance
 * parked mid-request, for the harness's density step. It ends by itself. */
static int probe_park(const char *name, const char *seconds)
{
    char *end;
    long s;
    char msg[64];
    struct timespec left;
    if (!seconds) return probe_usage("park needs --seconds=S");
    s = strtol(seconds, &end, 10);
    if (*seconds == '\0' || *end != '\0' || s < 1 || s > 3600) return probe_usage("--seconds takes 1 to 3600");
    snprintf(msg, sizeof msg, "parked for %ld s", s);
    if (probe_report(name, "ok", -1, msg, NULL, 0, -1) != 0) return 1;
    left.tv_sec = s;
    left.tv_nsec = 0;
    while (nanosleep(&left, &left) != 0 && errno == EINTR) { /* sleep the rest */ }
    return 0;
}

int wvc_probe_main(int argc, char **argv, const char *default_grant)
{
    const char *name = argv[1] + sizeof("--probe=") - 1;
    const char *target = NULL, *port = NULL, *seconds = NULL;
    int i;
    for (i = 2; i < argc; i++) {
        if (strncmp(argv[i], "--target-path=", 14) == 0) target = argv[i] + 14;
        else if (strncmp(argv[i], "--port=", 7) == 0) port = argv[i] + 7;
        else if (strncmp(argv[i], "--seconds=", 10) == 0) seconds = argv[i] + 10;
        else return probe_usage("probe mode takes --target-path=P, --port=N and --seconds=S only");
    }
    if (strcmp(name, "fs-read-outside") == 0 || strcmp(name, "fs-write-outside") == 0) {
        if (!target) return probe_usage("this probe needs --target-path=P");
        return name[3] == 'r' ? probe_read(name, target) : probe_write(name, target);
    }
    if (strcmp(name, "fs-write-granted") == 0) {
        if (!target && !default_grant) return probe_usage("this probe needs --target-path=P");
        return probe_write(name, target ? target : default_grant);
    }
    if (strcmp(name, "env-read") == 0) return probe_env(name);
    if (strcmp(name, "net-connect") == 0) return probe_net(name, port);
    if (strcmp(name, "clock") == 0) return probe_clock(name);
    if (strcmp(name, "random") == 0) return probe_random(name);
    if (strcmp(name, "mem-bomb") == 0) return probe_mem_bomb(name);
    if (strcmp(name, "cpu-spin") == 0) return probe_cpu_spin();
    if (strcmp(name, "park") == 0) return probe_park(name, seconds);
    return probe_usage("unknown probe");
}

#ifndef WVC_PROBE_LIBRARY
int main(int argc, char **argv)
{
    if (argc >= 2 && strncmp(argv[1], "--probe=", 8) == 0) return wvc_probe_main(argc, argv, NULL);
    if (argc == 1) {
        /* The sample run: one fixed line, so that every target's run of the guest is checked. */
        fputs("{\"probe\":\"none\",\"result\":\"ok\",\"detail\":\"wvc probe guest: run with --probe=NAME\"}\n", stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    return probe_usage("wvc-probe takes --probe=NAME [--target-path=P] [--port=N] [--seconds=S]");
}
#endif
