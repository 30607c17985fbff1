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
 * It is the harness's probe guest (harness/probe-guest/probe.c), linked in
 * by the manifest's build; it shares no code with the tax path.
 */
#define _DEFAULT_SOURCE /* getentropy, clock_gettime */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* The harness's probe guest (harness/probe-guest/probe.c, linked in with
 * -DWVC_PROBE_LIBRARY): the same probes its own guest runs, here inside this
 * program, with /rules as the default grant of fs-write-granted. */
int wvc_probe_main(int argc, char **argv, const char *default_grant);

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

    if (argc >= 2 && strncmp(argv[1], "--probe=", 8) == 0) return wvc_probe_main(argc, argv, DEFAULT_RULES_DIR);

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
