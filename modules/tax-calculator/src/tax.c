/*
 * tax - stateless sales-tax calculator.
 *
 *   tax --postal-code=NNNNN --subtotal=D.DD [--rules=DIR]
 *
 * One C99 source, libc only, built unchanged for wasm32-wasip1 and as a
 * static native Linux binary. The contract (output format, error codes,
 * messages, validation order, rules format) is documented in ../README.md
 * and mirrored byte for byte by harness/reference/tax.ts.
 *
 * Validation order: flags -> postal code -> subtotal -> rules file
 * (missing, then malformed) -> coverage.
 *
 * All arithmetic is integer: tax_cents = (subtotal_cents * rate_ppm + 500000)
 * / 1000000 in uint64_t (at most 999999999999 * 250000 + 500000 < 2^63).
 *
 * A separate probe mode, entered only when argv[1] starts with --probe=,
 * attempts one capability (file, env, socket, clock, random, memory, CPU)
 * for the harness's capability matrix; see "Probe mode" in ../README.md.
 * It shares no code with the tax path.
 */
#define _DEFAULT_SOURCE /* getentropy, clock_gettime */
#include <errno.h>
#include <stdint.h>
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

#define EXIT_USAGE 2     /* usage, bad_postal_code, bad_subtotal, subtotal_too_large */
#define EXIT_RULES 3     /* rules_missing, rules_malformed */
#define EXIT_NOT_COVERED 4

#define MAX_SUBTOTAL_CENTS 999999999999ULL
#define MAX_RATE_PPM 250000UL
#define NUM_PREFIXES 1000
#define MAX_RULES_BYTES 1048576L /* larger files are rules_malformed */
#define MAX_LINE_BYTES 128       /* per line, excluding "\n" and an optional "\r" */
#define MAX_JURISDICTION 64
#define DEFAULT_RULES_DIR "/rules"
#define RULES_FILE "rates.csv"
#define RULES_HEADER "prefix_start,prefix_end,jurisdiction,rate_ppm"

/* Writes the single stderr JSON line and returns the exit code.
 * Messages are built only from fixed ASCII text and digits, so they never
 * need JSON escaping. */
static int fail(int exit_code, const char *code, const char *message)
{
    fprintf(stderr, "{\"error\":\"%s\",\"message\":\"%s\"}\n", code, message);
    return exit_code;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* ---- subtotal -------------------------------------------------------- */

enum { SUB_OK = 0, SUB_BAD = 1, SUB_TOO_LARGE = 2 };

/* Grammar: ^[0-9]+(\.[0-9]{1,2})?$ ; syntax is checked over the whole
 * string before the magnitude, so any length is safe. */
static int parse_subtotal(const char *s, uint64_t *cents_out)
{
    const char *p = s;
    const char *int_begin = s, *int_end, *frac_begin = NULL;
    size_t nfrac = 0, i;
    uint64_t v = 0;

    while (is_digit(*p)) p++;
    int_end = p;
    if (int_end == int_begin) return SUB_BAD;
    if (*p == '.') {
        p++;
        frac_begin = p;
        while (is_digit(*p)) p++;
        nfrac = (size_t)(p - frac_begin);
        if (nfrac < 1 || nfrac > 2) return SUB_BAD;
    }
    if (*p != '\0') return SUB_BAD;

    while (int_begin < int_end - 1 && *int_begin == '0') int_begin++;
    if (int_end - int_begin > 10) return SUB_TOO_LARGE; /* > 9999999999 */
    for (p = int_begin; p < int_end; p++) v = v * 10 + (uint64_t)(*p - '0');
    for (i = 0; i < 2; i++) v = v * 10 + (uint64_t)(i < nfrac ? frac_begin[i] - '0' : 0);
    if (v > MAX_SUBTOTAL_CENTS) return SUB_TOO_LARGE;
    *cents_out = v;
    return SUB_OK;
}

/* ---- rules ----------------------------------------------------------- */

struct rule {
    char jurisdiction[MAX_JURISDICTION + 1];
    unsigned long rate_ppm;
};

struct table {
    int owner_line[NUM_PREFIXES]; /* 0 = gap, else line number of the row */
    int row_of[NUM_PREFIXES];
    struct rule *rows;
    int nrows;
};

static int three_digits(const char *f, size_t n, int *out)
{
    if (n != 3 || !is_digit(f[0]) || !is_digit(f[1]) || !is_digit(f[2])) return 0;
    *out = (f[0] - '0') * 100 + (f[1] - '0') * 10 + (f[2] - '0');
    return 1;
}

static int jurisdiction_ok(const char *f, size_t n)
{
    size_t i;
    if (n < 1 || n > MAX_JURISDICTION) return 0;
    for (i = 0; i < n; i++) {
        char c = f[i];
        if (!((c >= 'A' && c <= 'Z') || is_digit(c) || c == '-')) return 0;
    }
    return 1;
}

/* Reads DIR/rates.csv into a malloc'd buffer. Returns 0 on success,
 * -1 when the file cannot be opened or read, -2 when it is too large. */
static int read_rules(const char *dir, char **buf_out, size_t *len_out)
{
    size_t dlen = strlen(dir), cap = MAX_RULES_BYTES + 1, len = 0, n;
    char *path = malloc(dlen + sizeof("/" RULES_FILE));
    char *buf;
    FILE *f;

    if (!path) return -1;
    memcpy(path, dir, dlen);
    memcpy(path + dlen, "/" RULES_FILE, sizeof("/" RULES_FILE));
    f = fopen(path, "rb");
    free(path);
    if (!f) return -1;
    buf = malloc(cap);
    if (!buf) { fclose(f); return -1; }
    while (len < cap && (n = fread(buf + len, 1, cap - len, f)) > 0) len += n;
    if (ferror(f)) { fclose(f); free(buf); return -1; }
    fclose(f);
    if (len > (size_t)MAX_RULES_BYTES) { free(buf); return -2; }
    *buf_out = buf;
    *len_out = len;
    return 0;
}

/* Validates the whole file; on error writes "rates.csv ..." into msg. */
static int parse_rules(const char *buf, size_t len, struct table *t, char *msg, size_t msgcap)
{
    size_t pos = 0;
    int line = 0;

    memset(t->owner_line, 0, sizeof t->owner_line);
    t->nrows = 0;
    t->rows = malloc(sizeof(struct rule) * NUM_PREFIXES);
    if (!t->rows) { snprintf(msg, msgcap, "rates.csv: out of memory"); return 0; }

    for (;;) {
        const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - l) : len - pos;
        const char *field[4];
        size_t flen[4];
        size_t i, nf = 0, start = 0;
        int ps, pe, p;
        unsigned long rate = 0;

        line++;
        if (llen > 0 && l[llen - 1] == '\r') llen--;
        if (llen > MAX_LINE_BYTES) {
            snprintf(msg, msgcap, "rates.csv line %d: line longer than %d bytes", line, MAX_LINE_BYTES);
            return 0;
        }
        if (line == 1) {
            if (llen != sizeof(RULES_HEADER) - 1 || memcmp(l, RULES_HEADER, llen) != 0) {
                snprintf(msg, msgcap, "rates.csv line 1: bad header");
                return 0;
            }
        } else {
            for (i = 0; i <= llen; i++) {
                if (i == llen || l[i] == ',') {
                    if (nf < 4) { field[nf] = l + start; flen[nf] = i - start; }
                    nf++;
                    start = i + 1;
                }
            }
            if (nf != 4) {
                snprintf(msg, msgcap, "rates.csv line %d: expected 4 fields", line);
                return 0;
            }
            if (!three_digits(field[0], flen[0], &ps)) {
                snprintf(msg, msgcap, "rates.csv line %d: prefix_start must be 3 digits", line);
                return 0;
            }
            if (!three_digits(field[1], flen[1], &pe)) {
                snprintf(msg, msgcap, "rates.csv line %d: prefix_end must be 3 digits", line);
                return 0;
            }
            if (ps > pe) {
                snprintf(msg, msgcap, "rates.csv line %d: prefix_start > prefix_end", line);
                return 0;
            }
            if (!jurisdiction_ok(field[2], flen[2])) {
                snprintf(msg, msgcap, "rates.csv line %d: bad jurisdiction", line);
                return 0;
            }
            if (flen[3] < 1 || flen[3] > 6) {
                snprintf(msg, msgcap, "rates.csv line %d: rate_ppm must be 1-6 digits", line);
                return 0;
            }
            for (i = 0; i < flen[3]; i++) {
                if (!is_digit(field[3][i])) {
                    snprintf(msg, msgcap, "rates.csv line %d: rate_ppm must be 1-6 digits", line);
                    return 0;
                }
                rate = rate * 10 + (unsigned long)(field[3][i] - '0');
            }
            if (rate > MAX_RATE_PPM) {
                snprintf(msg, msgcap, "rates.csv line %d: rate_ppm > 250000", line);
                return 0;
            }
            for (p = ps; p <= pe; p++) {
                if (t->owner_line[p] != 0) {
                    snprintf(msg, msgcap, "rates.csv line %d: range overlaps line %d", line, t->owner_line[p]);
                    return 0;
                }
            }
            /* Non-overlapping rows each own >= 1 of 1000 prefixes, so nrows < 1000 here. */
            memcpy(t->rows[t->nrows].jurisdiction, field[2], flen[2]);
            t->rows[t->nrows].jurisdiction[flen[2]] = '\0';
            t->rows[t->nrows].rate_ppm = rate;
            for (p = ps; p <= pe; p++) {
                t->owner_line[p] = line;
                t->row_of[p] = t->nrows;
            }
            t->nrows++;
        }
        if (!nl) break;
        pos = (size_t)(nl - buf) + 1;
        if (pos == len) break; /* one trailing newline ends the file */
    }
    if (t->nrows == 0) {
        snprintf(msg, msgcap, "rates.csv: no data rows");
        return 0;
    }
    return 1;
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
    if (!seconds) return fail(EXIT_USAGE, "usage", "park needs --seconds=S");
    s = strtol(seconds, &end, 10);
    if (*seconds == '\0' || *end != '\0' || s < 1 || s > 3600) return fail(EXIT_USAGE, "usage", "--seconds takes 1 to 3600");
    snprintf(msg, sizeof msg, "parked for %ld s", s);
    if (probe_report(name, "ok", -1, msg, NULL, 0, -1) != 0) return 1;
    left.tv_sec = s;
    left.tv_nsec = 0;
    while (nanosleep(&left, &left) != 0 && errno == EINTR) { /* sleep the rest */ }
    return 0;
}

static int probe_main(int argc, char **argv)
{
    const char *name = argv[1] + sizeof("--probe=") - 1;
    const char *target = NULL, *port = NULL, *seconds = NULL;
    int i;
    for (i = 2; i < argc; i++) {
        if (strncmp(argv[i], "--target-path=", 14) == 0) target = argv[i] + 14;
        else if (strncmp(argv[i], "--port=", 7) == 0) port = argv[i] + 7;
        else if (strncmp(argv[i], "--seconds=", 10) == 0) seconds = argv[i] + 10;
        else return fail(EXIT_USAGE, "usage", "probe mode takes --target-path=P, --port=N and --seconds=S only");
    }
    if (strcmp(name, "fs-read-outside") == 0 || strcmp(name, "fs-write-outside") == 0) {
        if (!target) return fail(EXIT_USAGE, "usage", "this probe needs --target-path=P");
        return name[3] == 'r' ? probe_read(name, target) : probe_write(name, target);
    }
    if (strcmp(name, "fs-write-granted") == 0) return probe_write(name, target ? target : DEFAULT_RULES_DIR);
    if (strcmp(name, "env-read") == 0) return probe_env(name);
    if (strcmp(name, "net-connect") == 0) return probe_net(name, port);
    if (strcmp(name, "clock") == 0) return probe_clock(name);
    if (strcmp(name, "random") == 0) return probe_random(name);
    if (strcmp(name, "mem-bomb") == 0) return probe_mem_bomb(name);
    if (strcmp(name, "cpu-spin") == 0) return probe_cpu_spin();
    if (strcmp(name, "park") == 0) return probe_park(name, seconds);
    return fail(EXIT_USAGE, "usage", "unknown probe");
}

/* ---- main ------------------------------------------------------------ */

static const char *flag_names[3] = { "--postal-code", "--subtotal", "--rules" };

int main(int argc, char **argv)
{
    const char *value[3] = { NULL, NULL, NULL };
    const char *postal, *rules_dir;
    char msg[160];
    char *buf = NULL;
    size_t len = 0;
    uint64_t cents = 0, tax;
    struct table t;
    int i, k, rc, prefix, row;

    if (argc >= 2 && strncmp(argv[1], "--probe=", 8) == 0) return probe_main(argc, argv);

    /* 1. flags, left to right; the first problem wins. */
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int matched = 0;
        for (k = 0; k < 3; k++) {
            size_t n = strlen(flag_names[k]);
            if (strncmp(a, flag_names[k], n) != 0) continue;
            if (a[n] == '\0' || (a[n] == '=' && a[n + 1] == '\0')) {
                snprintf(msg, sizeof msg, "missing value for %s", flag_names[k]);
                return fail(EXIT_USAGE, "usage", msg);
            }
            if (a[n] != '=') continue; /* e.g. --subtotals=1 */
            if (value[k] != NULL) {
                snprintf(msg, sizeof msg, "duplicate flag %s", flag_names[k]);
                return fail(EXIT_USAGE, "usage", msg);
            }
            value[k] = a + n + 1;
            matched = 1;
            break;
        }
        if (!matched) return fail(EXIT_USAGE, "usage", "unknown argument");
    }
    for (k = 0; k < 2; k++) {
        if (value[k] == NULL) {
            snprintf(msg, sizeof msg, "missing required flag %s", flag_names[k]);
            return fail(EXIT_USAGE, "usage", msg);
        }
    }

    /* 2. postal code: exactly 5 ASCII digits. */
    postal = value[0];
    if (strlen(postal) != 5 || !is_digit(postal[0]) || !is_digit(postal[1]) || !is_digit(postal[2]) ||
        !is_digit(postal[3]) || !is_digit(postal[4]))
        return fail(EXIT_USAGE, "bad_postal_code", "postal code must be exactly 5 ASCII digits");
    prefix = (postal[0] - '0') * 100 + (postal[1] - '0') * 10 + (postal[2] - '0');

    /* 3. subtotal. */
    rc = parse_subtotal(value[1], &cents);
    if (rc == SUB_BAD)
        return fail(EXIT_USAGE, "bad_subtotal", "subtotal must be digits with an optional point and 1-2 decimals");
    if (rc == SUB_TOO_LARGE)
        return fail(EXIT_USAGE, "subtotal_too_large", "subtotal exceeds 9999999999.99");

    /* 4. rules: missing, then malformed (the whole file is validated). */
    rules_dir = value[2] ? value[2] : DEFAULT_RULES_DIR;
    rc = read_rules(rules_dir, &buf, &len);
    if (rc == -1) return fail(EXIT_RULES, "rules_missing", "cannot read rates.csv in the rules directory");
    if (rc == -2) {
        snprintf(msg, sizeof msg, "rates.csv: file larger than %ld bytes", MAX_RULES_BYTES);
        return fail(EXIT_RULES, "rules_malformed", msg);
    }
    if (!parse_rules(buf, len, &t, msg, sizeof msg)) return fail(EXIT_RULES, "rules_malformed", msg);
    free(buf);

    /* 5. coverage. */
    if (t.owner_line[prefix] == 0) {
        snprintf(msg, sizeof msg, "no rule covers postal code prefix %c%c%c", postal[0], postal[1], postal[2]);
        return fail(EXIT_NOT_COVERED, "not_covered", msg);
    }
    row = t.row_of[prefix];
    tax = (cents * (uint64_t)t.rows[row].rate_ppm + 500000u) / 1000000u;
    printf("{\"postal_code\":\"%s\",\"jurisdiction\":\"%s\",\"rate_ppm\":%lu,\"subtotal_cents\":%llu,\"tax_cents\":%llu}\n",
           postal, t.rows[row].jurisdiction, t.rows[row].rate_ppm, (unsigned long long)cents,
           (unsigned long long)tax);
    free(t.rows);
    return fflush(stdout) == 0 ? 0 : 1;
}
