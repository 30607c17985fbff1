/*
 * wvc-wasmtime-host: a small C program that embeds Wasmtime through its C API
 * and runs a WASI 0.2 command component, the way a platform embeds Wasmtime to
 * run tenant plugins. Built by harness/build/embed-host.ts against the
 * libwasmtime of the `wasmtime` pip wheel; the declarations it uses are in
 * wasmtime_api.h (the wheel ships no headers).
 *
 * Usage
 *   wvc-wasmtime-host version
 *       Prints the Wasmtime version compiled in with -DWASMTIME_VERSION.
 *
 *   wvc-wasmtime-host compile [--consume-fuel] IN.wasm OUT.cwasm
 *       AOT-compiles a component (wasmtime_component_new +
 *       wasmtime_component_serialize) with the same engine config that `run`
 *       uses, so `run --aot` can deserialize it. --consume-fuel compiles for an
 *       engine with fuel metering, which `run --fuel N` needs.
 *
 *   wvc-wasmtime-host run [--aot] [--pooled] [--argv0 NAME] [--dir HOST::GUEST]...
 *                         [--dir-rw HOST::GUEST]... [--timings-fd N]
 *                         [--iterations N | --burst K | --park N]
 *                         [--max-memory BYTES] [--fuel N] FILE [--] [ARGS...]
 *       Loads FILE (JIT: compiles the .wasm bytes with wasmtime_component_new;
 *       --aot: wasmtime_component_deserialize_file of a .cwasm), links WASI
 *       0.2 (wasmtime_component_linker_add_wasip2) and, in a new store whose
 *       WASI context has
 *         argv  = [NAME, ARGS...]   (NAME defaults to "main")
 *         env   = empty
 *         stdio = stdout and stderr inherited, no stdin
 *         fs    = only the --dir directories, preopened read-only
 *                 (wasi_config_preopen_dir with fs_mutable = false), and
 *                 the --dir-rw ones, preopened writable
 *         net   = none (no socket capability is granted)
 *       instantiates the component and calls `run` of its `wasi:cli/run@0.2.*`
 *       export (found by enumerating the component's exports, so the adapter's
 *       patch version is not hard-coded). Everything after FILE, with or without
 *       a leading `--`, is the guest's argv.
 *
 *       --pooled            configure the engine the way platforms do: the pooling
 *                           allocation strategy (wasmtime_pooling_allocation_strategy_set,
 *                           a small pool, see POOL_* below) with copy-on-write memory
 *                           initialisation (wasmtime_config_memory_init_cow_set). It
 *                           loads the same .cwasm as the default allocator (the
 *                           allocation strategy is not part of the compiled code).
 *       --argv0 NAME        the guest's argv[0]
 *       --dir HOST::GUEST   preopen HOST as GUEST, read-only (HOST alone: same name)
 *       --dir-rw HOST::GUEST  the same, writable
 *       --timings-fd N      write phase timings as one JSON line to fd N
 *       --iterations N      load once, then N times: new store + WASI context +
 *                           instantiate + run (the guest's output repeats N times)
 *       --burst K           a surge (K from 1 to 256): load once (engine, component,
 *                           linker), then take t0 and start K threads back to back;
 *                           each makes its own store + WASI context, instantiates and
 *                           runs, with the guest's stdout and stderr captured per
 *                           request (wasi_config_set_stdout_custom, 64 KiB each), and
 *                           records t0 to its answer (the run call's return). Nothing
 *                           goes to the host's stdout; the report is on --timings-fd
 *                           (below). Exit 0 once reported, whatever the guests did.
 *       --park N            density (N from 1 to 256): load once, then N threads, each
 *                           with its own store + WASI context + instance running the
 *                           guest (its park mode: it prints a ready line and sleeps) with
 *                           stdout and stderr inherited. The process stays until every
 *                           thread's guest has returned (or it is killed); the exit
 *                           status is the first non-zero one.
 *       --max-memory BYTES  cap linear memory per store (wasmtime_store_limiter)
 *       --fuel N            meter execution (wasmtime_config_consume_fuel_set +
 *                           wasmtime_context_set_fuel); running out is a trap.
 *                           With --aot, the .cwasm must come from `compile --consume-fuel`.
 *
 * Exit status of `run`
 *   0        the guest's run returned ok
 *   1        the guest's run returned err
 *   n        the guest called exit(n) (wasmtime_error_exit_status). The WASI
 *            0.2 `wasi:cli/exit.exit` takes a result, so a preview1 adapter
 *            reports every non-zero proc_exit as 1.
 *   125      host usage error (bad flags, unreadable --dir); one line on stderr
 *   126      the component cannot be loaded or instantiated (bad file, compile
 *            or deserialize failure, no wasi:cli/run export, link failure)
 *   134      the guest trapped (or another runtime error surfaced from the call):
 *            one line {"trap":"<message>"} on stderr
 *   The workload itself uses 0..4 (2 = its usage error), so 125/126/134 cannot
 *   be mistaken for guest results.
 *
 * Timings (monotonic clock, ms with µs precision), one JSON line on --timings-fd:
 *   {"engine_ms":..,"load_ms":..,"instantiate_ms":..,"run_ms":..}
 *   engine       config + engine creation (with --pooled, also reserving the pool)
 *   load         reading + compiling the .wasm (JIT) or deserializing the .cwasm
 *                (AOT), plus finding the run export
 *   instantiate  linker + WASI p2 definitions + store + WASI context + instantiate
 *   run          the call to wasi:cli/run.run and its post-return
 *   With --iterations N the linker is made once; the top-level instantiate_ms
 *   and run_ms are those of the first iteration (instantiate_ms including the
 *   linker), and "iterations":[{"instantiate_ms":..,"run_ms":..},...] has one
 *   record per iteration, whose instantiate_ms excludes the shared linker.
 *   A trapping iteration ends the loop; the exit status is that of the last
 *   iteration that ran.
 *   With --burst K, instead, one line (ms from t0, taken after the load):
 *   {"engine_ms":..,"load_ms":..,"linker_ms":..,"wall_ms":..,"burst":[{"latency_ms":..,
 *     "instantiate_ms":..,"run_ms":..,"exit":C,"stdout":"..","stderr":".."},...]}
 *   in launch order; wall_ms is t0 to the last answer. A trap's {"trap":..} line
 *   goes into that request's "stderr". A request that could not start a thread or
 *   instantiate has exit 126 and an "error" (the host's message is on its stderr).
 *   With --pooled, the pool is sized for max(8, K) (or N) instances alive at once.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasmtime_api.h"

#ifndef WASMTIME_VERSION
#define WASMTIME_VERSION "unknown"
#endif

#define EXIT_USAGE 125
#define EXIT_LOAD 126
#define EXIT_TRAP 134

/* Layouts must match libwasmtime's (ctypes.sizeof in the wheel's _bindings.py, x86-64). */
_Static_assert(sizeof(wasm_byte_vec_t) == 16, "wasm_byte_vec_t layout");
_Static_assert(sizeof(wasmtime_component_instance_t) == 16, "wasmtime_component_instance_t layout");
_Static_assert(sizeof(wasmtime_component_func_t) == 32, "wasmtime_component_func_t layout");
_Static_assert(sizeof(wasmtime_component_val_t) == 32, "wasmtime_component_val_t layout");

static const char *prog = "wvc-wasmtime-host";

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void json_string(FILE *f, const char *s, size_t n) {
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c == '\n') fputs("\\n", f);
    else if (c == '\r') fputs("\\r", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* Prints wasmtime's message for an error, flattened to one line, and frees the error. */
static void print_error_line(const char *what, wasmtime_error_t *err) {
  wasm_name_t msg = {0, NULL};
  wasmtime_error_message(err, &msg);
  fprintf(stderr, "%s: %s: ", prog, what);
  bool space = false; /* runs of whitespace (wasmtime's messages span lines) become one space */
  for (size_t i = 0; i < msg.size; i++) {
    unsigned char c = msg.data[i];
    if (c == '\n' || c == ' ' || c == '\t' || c == '\r') { space = true; continue; }
    if (space) fputc(' ', stderr);
    space = false;
    fputc(c, stderr);
  }
  fputc('\n', stderr);
  wasm_byte_vec_delete(&msg);
  wasmtime_error_delete(err);
}

static void print_trap(wasmtime_error_t *err) {
  wasm_name_t msg = {0, NULL};
  wasmtime_error_message(err, &msg);
  fputs("{\"trap\":", stderr);
  json_string(stderr, (const char *)msg.data, msg.size);
  fputs("}\n", stderr);
  wasm_byte_vec_delete(&msg);
}

static int usage(const char *msg) {
  fprintf(stderr, "%s: %s (usage: %s version | compile [--consume-fuel] IN.wasm OUT.cwasm | run [--aot] [--pooled] [--argv0 NAME] [--dir|--dir-rw HOST::GUEST]... [--timings-fd N] [--iterations N | --burst K | --park N] [--max-memory BYTES] [--fuel N] FILE [--] [ARGS...])\n",
          prog, msg, prog);
  return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s || *s == '-') return false;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return false;
  *out = (uint64_t)v;
  return true;
}

/*
 * The pool of --pooled: sized for the warm loop and a small burst (one store alive
 * per request), not for Wasmtime's defaults of 1000 of everything. Each memory slot
 * reserves the engine's memory reservation (4 GiB on x86-64, unchanged so the same
 * .cwasm loads) plus its guard as PROT_NONE address space, so POOL_MEMORIES slots
 * take about POOL_MEMORIES x 4 GiB of virtual memory and nothing more until used.
 */
#define POOL_COMPONENTS 8u                 /* component instances alive at once (at least; --burst/--park raise it) */
#define POOL_CORE_PER_COMPONENT 16u        /* core instances per component (module, adapter, shims) */
#define POOL_MEMORIES_PER_COMPONENT 2u     /* the module's memory and the preview1 adapter's */
#define POOL_TABLES_PER_COMPONENT 8u
#define POOL_MAX_MEMORY_BYTES ((size_t)256 << 20) /* per linear memory; memory.grow fails past it */
#define POOL_KEEP_RESIDENT_BYTES ((size_t)1 << 20) /* per slot: zeroed with memset, not decommitted, on reuse */

static void configure_pooling(wasm_config_t *config, uint32_t slots) {
  if (slots < POOL_COMPONENTS) slots = POOL_COMPONENTS;
  wasmtime_pooling_allocation_config_t *pool = wasmtime_pooling_allocation_config_new();
  wasmtime_pooling_allocation_config_total_component_instances_set(pool, slots);
  wasmtime_pooling_allocation_config_max_core_instances_per_component_set(pool, POOL_CORE_PER_COMPONENT);
  wasmtime_pooling_allocation_config_max_memories_per_component_set(pool, POOL_MEMORIES_PER_COMPONENT);
  wasmtime_pooling_allocation_config_max_tables_per_component_set(pool, POOL_TABLES_PER_COMPONENT);
  wasmtime_pooling_allocation_config_total_core_instances_set(pool, slots * POOL_CORE_PER_COMPONENT);
  wasmtime_pooling_allocation_config_total_memories_set(pool, slots * POOL_MEMORIES_PER_COMPONENT);
  wasmtime_pooling_allocation_config_total_tables_set(pool, slots * POOL_TABLES_PER_COMPONENT);
  wasmtime_pooling_allocation_config_total_stacks_set(pool, slots); /* async stacks; unused without async */
  wasmtime_pooling_allocation_config_total_gc_heaps_set(pool, 0);
  wasmtime_pooling_allocation_config_max_memory_size_set(pool, POOL_MAX_MEMORY_BYTES);
  wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(pool, POOL_KEEP_RESIDENT_BYTES);
  wasmtime_pooling_allocation_config_table_keep_resident_set(pool, POOL_KEEP_RESIDENT_BYTES);
  wasmtime_pooling_allocation_strategy_set(config, pool); /* copies the pool config */
  wasmtime_pooling_allocation_config_delete(pool);
  /* Copy-on-write memory initialisation: a memory's data segments are mapped from an
   * image made once per module, not copied in at each instantiation (Wasmtime's
   * default too; set here so the pooled configuration says it). */
  wasmtime_config_memory_init_cow_set(config, true);
}

static wasm_engine_t *new_engine(bool consume_fuel, bool pooled, uint32_t slots) {
  wasm_config_t *config = wasm_config_new();
  if (consume_fuel) wasmtime_config_consume_fuel_set(config, true);
  if (pooled) configure_pooling(config, slots);
  return wasm_engine_new_with_config(config); /* takes ownership of config */
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 1 << 20;
      uint8_t *b = realloc(buf, cap);
      if (!b) { free(buf); fclose(f); return NULL; }
      buf = b;
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (r == 0) break;
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad) { free(buf); return NULL; }
  *len = n;
  return buf;
}

/* ---- compile ---------------------------------------------------------- */

static int cmd_compile(int argc, char **argv) {
  bool fuel = false;
  int i = 0;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    if (strcmp(argv[i], "--consume-fuel") == 0) fuel = true;
    else return usage("unknown compile option");
  }
  if (argc - i != 2) return usage("compile needs IN.wasm and OUT.cwasm");
  const char *in = argv[i], *out = argv[i + 1];

  size_t len = 0;
  uint8_t *wasm = read_file(in, &len);
  if (!wasm) {
    fprintf(stderr, "%s: cannot read %s: %s\n", prog, in, strerror(errno));
    return EXIT_LOAD;
  }
  wasm_engine_t *engine = new_engine(fuel, false, 0);
  wasmtime_component_t *component = NULL;
  wasmtime_error_t *err = wasmtime_component_new(engine, wasm, len, &component);
  free(wasm);
  if (err) {
    print_error_line("cannot compile component", err);
    wasm_engine_delete(engine);
    return EXIT_LOAD;
  }
  wasm_byte_vec_t bytes = {0, NULL};
  err = wasmtime_component_serialize(component, &bytes);
  wasmtime_component_delete(component);
  wasm_engine_delete(engine);
  if (err) {
    print_error_line("cannot serialize component", err);
    return EXIT_LOAD;
  }
  FILE *f = fopen(out, "wb");
  bool ok = f && fwrite(bytes.data, 1, bytes.size, f) == bytes.size;
  if (f && fclose(f) != 0) ok = false;
  wasm_byte_vec_delete(&bytes);
  if (!ok) {
    fprintf(stderr, "%s: cannot write %s: %s\n", prog, out, strerror(errno));
    return EXIT_LOAD;
  }
  return 0;
}

/* ---- run -------------------------------------------------------------- */

#define MAX_DIRS 32

struct run_opts {
  bool aot;
  bool pooled;
  int ndirs;
  char *dir_host[MAX_DIRS];
  const char *dir_guest[MAX_DIRS];
  bool dir_rw[MAX_DIRS];
  const char *argv0;
  int timings_fd;
  uint64_t iterations;
  uint64_t burst; /* 0: not a burst */
  uint64_t park;  /* 0: not parking */
  bool has_max_memory;
  uint64_t max_memory;
  bool has_fuel;
  uint64_t fuel;
  const char *file;
  int guest_argc; /* argv for the guest, including argv0 */
  const char **guest_argv;
};

struct iteration {
  double instantiate_ms, run_ms;
};

/* A guest's stdout or stderr captured in memory (--burst), up to CAPTURE_MAX bytes; the rest is taken and dropped. */
#define CAPTURE_MAX (64u * 1024u)
struct capture {
  char *buf;
  size_t len;
};

static ptrdiff_t capture_write(void *data, const unsigned char *buf, size_t len) {
  struct capture *c = data;
  size_t take = len;
  if (c->len + take > CAPTURE_MAX) take = CAPTURE_MAX - c->len;
  if (take) {
    memcpy(c->buf + c->len, buf, take);
    c->len += take;
  }
  return (ptrdiff_t)len;
}

/* Where a request's stdio goes: inherited (NULL) or captured; with `lines`, stdout is
 * forwarded to the host's stdout a whole line at a time (--park: N guests print at once,
 * and the harness reads one ready line per instance). */
struct request_io {
  struct capture *out, *err;
  bool lines;
};

static pthread_mutex_t stdout_lock = PTHREAD_MUTEX_INITIALIZER;

/* Buffers a guest's stdout and writes each complete line to fd 1 in one piece, under a lock. */
static ptrdiff_t line_write(void *data, const unsigned char *buf, size_t len) {
  capture_write(data, buf, len);
  struct capture *c = data;
  char *nl;
  while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
    size_t n = (size_t)(nl - c->buf) + 1, off = 0;
    pthread_mutex_lock(&stdout_lock);
    while (off < n) {
      ssize_t w = write(1, c->buf + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      off += (size_t)w;
    }
    pthread_mutex_unlock(&stdout_lock);
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
  }
  return (ptrdiff_t)len;
}

/* A trap's {"trap":...} line: on the host's stderr, or into the request's captured stderr (--burst). */
static void report_trap(wasmtime_error_t *err, const struct request_io *io) {
  if (!io || !io->err) {
    print_trap(err);
    return;
  }
  char *line = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&line, &len);
  if (!m) {
    print_trap(err);
    return;
  }
  wasm_name_t msg = {0, NULL};
  wasmtime_error_message(err, &msg);
  fputs("{\"trap\":", m);
  json_string(m, (const char *)msg.data, msg.size);
  fputs("}\n", m);
  wasm_byte_vec_delete(&msg);
  fclose(m);
  capture_write(io->err, (const unsigned char *)line, len);
  free(line);
}

/* Finds the `run` function of the component's wasi:cli/run@0.2.* export. */
static wasmtime_component_export_index_t *find_run_export(wasm_engine_t *engine, wasmtime_component_t *component,
                                                          char *found_name, size_t found_cap) {
  static const char prefix[] = "wasi:cli/run@0.2.";
  wasmtime_component_type_t *ty = wasmtime_component_type(component);
  size_t n = wasmtime_component_type_export_count(ty, engine);
  wasmtime_component_export_index_t *run = NULL;
  for (size_t i = 0; i < n && !run; i++) {
    const char *name = NULL;
    size_t name_len = 0;
    wasmtime_component_extern_t *ext = NULL;
    if (!wasmtime_component_type_export_nth(ty, engine, i, &name, &name_len, &ext)) continue;
    if (ext) wasmtime_component_extern_delete(ext);
    if (name_len < sizeof prefix - 1 || memcmp(name, prefix, sizeof prefix - 1) != 0) continue;
    wasmtime_component_export_index_t *iface = wasmtime_component_get_export_index(component, NULL, name, name_len);
    if (!iface) continue;
    run = wasmtime_component_get_export_index(component, iface, "run", 3);
    wasmtime_component_export_index_delete(iface);
    if (run && found_cap) snprintf(found_name, found_cap, "%.*s", (int)name_len, name);
  }
  wasmtime_component_type_delete(ty);
  return run;
}

/* One store + WASI context + instantiate + call. Returns the exit status; sets *trapped. */
static int run_once(const struct run_opts *o, wasm_engine_t *engine, wasmtime_component_linker_t *linker,
                    wasmtime_component_t *component, wasmtime_component_export_index_t *run_idx,
                    struct iteration *t, bool *trapped, bool *load_failed, const struct request_io *io, double *answered) {
  *trapped = false;
  *load_failed = false;
  double t0 = now_ms();
  wasmtime_store_t *store = wasmtime_store_new(engine, NULL, NULL);
  wasmtime_context_t *ctx = wasmtime_store_context(store);
  int status = 0;
  if (o->has_max_memory) wasmtime_store_limiter(store, (int64_t)o->max_memory, -1, -1, -1, -1);
  if (o->has_fuel) {
    wasmtime_error_t *err = wasmtime_context_set_fuel(ctx, o->fuel);
    if (err) { print_error_line("cannot set fuel", err); status = EXIT_LOAD; *load_failed = true; goto done; }
  }

  wasi_config_t *wasi = wasi_config_new();
  /* argv = [argv0, ARGS...]; env left empty; no stdin; no network capability. */
  if (!wasi_config_set_argv(wasi, (size_t)o->guest_argc, o->guest_argv)) {
    wasi_config_delete(wasi);
    fprintf(stderr, "%s: cannot set the guest argv\n", prog);
    status = EXIT_USAGE; *load_failed = true; goto done;
  }
  if (io && io->out) wasi_config_set_stdout_custom(wasi, io->lines ? line_write : capture_write, io->out, NULL);
  else wasi_config_inherit_stdout(wasi);
  if (io && io->err) wasi_config_set_stderr_custom(wasi, capture_write, io->err, NULL);
  else wasi_config_inherit_stderr(wasi);
  for (int i = 0; i < o->ndirs; i++) {
    if (!wasi_config_preopen_dir(wasi, o->dir_host[i], o->dir_guest[i], o->dir_rw[i])) {
      wasi_config_delete(wasi);
      fprintf(stderr, "%s: cannot preopen directory %s\n", prog, o->dir_host[i]);
      status = EXIT_USAGE; *load_failed = true; goto done;
    }
  }
  wasmtime_error_t *err = wasmtime_context_set_wasi(ctx, wasi); /* takes ownership */
  if (err) { print_error_line("cannot set the WASI context", err); status = EXIT_LOAD; *load_failed = true; goto done; }

  wasmtime_component_instance_t instance;
  err = wasmtime_component_linker_instantiate(linker, ctx, component, &instance);
  if (err) { print_error_line("cannot instantiate component", err); status = EXIT_LOAD; *load_failed = true; goto done; }
  wasmtime_component_func_t func;
  if (!wasmtime_component_instance_get_func(&instance, ctx, run_idx, &func)) {
    fprintf(stderr, "%s: the wasi:cli/run export has no run function\n", prog);
    status = EXIT_LOAD; *load_failed = true; goto done;
  }
  double t1 = now_ms();
  t->instantiate_ms = t1 - t0;

  /* run: func() -> result */
  wasmtime_component_val_t result;
  memset(&result, 0, sizeof result);
  err = wasmtime_component_func_call(&func, ctx, NULL, 0, &result, 1);
  if (err) {
    int code = 0;
    if (wasmtime_error_exit_status(err, &code)) {
      status = code;
    } else {
      report_trap(err, io);
      status = EXIT_TRAP;
      *trapped = true;
    }
    wasmtime_error_delete(err);
  } else {
    status = (result.kind == WASMTIME_COMPONENT_RESULT && result.of.result.is_ok) ? 0 : 1;
    wasmtime_component_val_delete(&result);
    err = wasmtime_component_func_post_return(&func, ctx);
    if (err) {
      report_trap(err, io);
      wasmtime_error_delete(err);
      status = EXIT_TRAP;
      *trapped = true;
    }
  }
  {
    double t2 = now_ms();
    t->run_ms = t2 - t1;
    if (answered) *answered = t2;
  }

done:
  wasmtime_store_delete(store);
  return status;
}

static void write_timings(const struct run_opts *o, double engine_ms, double load_ms, double linker_ms,
                          const struct iteration *it, uint64_t ran) {
  if (o->timings_fd < 0 || ran == 0) return;
  FILE *f = fdopen(dup(o->timings_fd), "w");
  if (!f) return; /* the fd is not open: run by hand */
  fprintf(f, "{\"engine_ms\":%.3f,\"load_ms\":%.3f,\"instantiate_ms\":%.3f,\"run_ms\":%.3f", engine_ms, load_ms,
          linker_ms + it[0].instantiate_ms, it[0].run_ms);
  if (o->iterations > 1) {
    fputs(",\"iterations\":[", f);
    for (uint64_t i = 0; i < ran; i++)
      fprintf(f, "%s{\"instantiate_ms\":%.3f,\"run_ms\":%.3f}", i ? "," : "", it[i].instantiate_ms, it[i].run_ms);
    fputc(']', f);
  }
  fputs("}\n", f);
  fclose(f);
}

/* ---- burst and park: one thread per request, each with its own store ---- */

#define MAX_THREADS 256

struct request {
  const struct run_opts *o;
  wasm_engine_t *engine;
  wasmtime_component_linker_t *linker;
  wasmtime_component_t *component;
  wasmtime_component_export_index_t *run_idx;
  bool capture;
  bool lines; /* --park: stdout forwarded a line at a time */
  struct capture out, err;
  struct iteration t;
  double answered; /* monotonic ms when run returned; 0 when it never ran */
  int status;
  bool started;
  const char *error;
};

static void *request_thread(void *arg) {
  struct request *r = arg;
  bool trapped = false, load_failed = false;
  struct request_io io = { r->capture || r->lines ? &r->out : NULL, r->capture ? &r->err : NULL, r->lines };
  r->status = run_once(r->o, r->engine, r->linker, r->component, r->run_idx, &r->t, &trapped, &load_failed, &io, &r->answered);
  if (load_failed) r->error = "cannot instantiate (the host's stderr has why)";
  return NULL;
}

/* Starts n request threads back to back from t0; joins them all. Returns the requests (caller frees). */
static struct request *run_threads(const struct run_opts *o, wasm_engine_t *engine, wasmtime_component_linker_t *linker,
                                   wasmtime_component_t *component, wasmtime_component_export_index_t *run_idx,
                                   uint64_t n, bool capture, double *t0_out) {
  struct request *rq = calloc((size_t)n, sizeof *rq);
  pthread_t *th = calloc((size_t)n, sizeof *th);
  if (!rq || !th) { fprintf(stderr, "%s: out of memory\n", prog); exit(EXIT_LOAD); }
  for (uint64_t i = 0; i < n; i++) {
    rq[i] = (struct request){ .o = o, .engine = engine, .linker = linker, .component = component, .run_idx = run_idx, .capture = capture, .lines = !capture };
    if (capture || rq[i].lines) {
      rq[i].out.buf = malloc(CAPTURE_MAX);
      rq[i].err.buf = malloc(CAPTURE_MAX);
      if (!rq[i].out.buf || !rq[i].err.buf) { fprintf(stderr, "%s: out of memory\n", prog); exit(EXIT_LOAD); }
    }
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, (size_t)8 << 20); /* the wasm stack (512 KiB by default) runs on it */
  double t0 = now_ms();
  for (uint64_t i = 0; i < n; i++) {
    int e = pthread_create(&th[i], &attr, request_thread, &rq[i]);
    if (e) {
      rq[i].status = EXIT_LOAD;
      rq[i].error = "cannot start a thread";
      fprintf(stderr, "%s: cannot start thread %" PRIu64 ": %s\n", prog, i, strerror(e));
    } else {
      rq[i].started = true;
    }
  }
  pthread_attr_destroy(&attr);
  for (uint64_t i = 0; i < n; i++)
    if (rq[i].started) pthread_join(th[i], NULL);
  free(th);
  *t0_out = t0;
  return rq;
}

static void write_burst(const struct run_opts *o, double engine_ms, double load_ms, double linker_ms,
                        const struct request *rq, double t0) {
  if (o->timings_fd < 0) return;
  FILE *f = fdopen(dup(o->timings_fd), "w");
  if (!f) return;
  double wall = 0;
  for (uint64_t i = 0; i < o->burst; i++)
    if (rq[i].answered > 0 && rq[i].answered - t0 > wall) wall = rq[i].answered - t0;
  fprintf(f, "{\"engine_ms\":%.3f,\"load_ms\":%.3f,\"linker_ms\":%.3f,\"wall_ms\":%.3f,\"burst\":[", engine_ms, load_ms, linker_ms, wall);
  for (uint64_t i = 0; i < o->burst; i++) {
    const struct request *r = &rq[i];
    fputs(i ? ",{" : "{", f);
    if (r->answered > 0) fprintf(f, "\"latency_ms\":%.3f,\"instantiate_ms\":%.3f,\"run_ms\":%.3f,", r->answered - t0, r->t.instantiate_ms, r->t.run_ms);
    else fputs("\"latency_ms\":null,", f);
    fprintf(f, "\"exit\":%d,\"stdout\":", r->status);
    json_string(f, r->out.buf ? r->out.buf : "", r->out.len);
    fputs(",\"stderr\":", f);
    json_string(f, r->err.buf ? r->err.buf : "", r->err.len);
    if (r->error) {
      fputs(",\"error\":", f);
      json_string(f, r->error, strlen(r->error));
    }
    fputc('}', f);
  }
  fputs("]}\n", f);
  fclose(f);
}

static int cmd_run(int argc, char **argv) {
  struct run_opts o;
  memset(&o, 0, sizeof o);
  o.timings_fd = -1;
  o.iterations = 1;
  int i = 0;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) return usage("missing FILE before --");
    if (strncmp(a, "--", 2) != 0) break;
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--aot") == 0) { o.aot = true; continue; }
    if (strcmp(a, "--pooled") == 0) { o.pooled = true; continue; }
    if (!v) return usage("option needs a value");
    uint64_t n = 0;
    if (strcmp(a, "--argv0") == 0) {
      o.argv0 = v;
    } else if (strcmp(a, "--dir") == 0 || strcmp(a, "--dir-rw") == 0) {
      if (o.ndirs == MAX_DIRS) return usage("too many --dir options");
      char *host = strdup(v);
      char *sep = strstr(host, "::");
      const char *guest = host;
      if (sep) { *sep = '\0'; guest = sep + 2; }
      if (!*host || !*guest) return usage("--dir needs HOST::GUEST");
      struct stat st;
      if (stat(host, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: --dir %s: not a readable directory\n", prog, host);
        return EXIT_USAGE;
      }
      o.dir_host[o.ndirs] = host;
      o.dir_guest[o.ndirs] = guest;
      o.dir_rw[o.ndirs] = strcmp(a, "--dir-rw") == 0;
      o.ndirs++;
    } else if (strcmp(a, "--timings-fd") == 0) {
      if (!parse_u64(v, &n) || n > 1024) return usage("--timings-fd needs a file descriptor number");
      o.timings_fd = (int)n;
    } else if (strcmp(a, "--iterations") == 0) {
      if (!parse_u64(v, &n) || n < 1 || n > 1000000) return usage("--iterations needs a count from 1 to 1000000");
      o.iterations = n;
    } else if (strcmp(a, "--burst") == 0) {
      if (!parse_u64(v, &n) || n < 1 || n > MAX_THREADS) return usage("--burst needs a count from 1 to 256");
      o.burst = n;
    } else if (strcmp(a, "--park") == 0) {
      if (!parse_u64(v, &n) || n < 1 || n > MAX_THREADS) return usage("--park needs a count from 1 to 256");
      o.park = n;
    } else if (strcmp(a, "--max-memory") == 0) {
      if (!parse_u64(v, &n) || n > INT64_MAX) return usage("--max-memory needs a byte count");
      o.has_max_memory = true;
      o.max_memory = n;
    } else if (strcmp(a, "--fuel") == 0) {
      if (!parse_u64(v, &n)) return usage("--fuel needs an amount");
      o.has_fuel = true;
      o.fuel = n;
    } else {
      return usage("unknown run option");
    }
    i++;
  }
  if ((o.burst > 0) + (o.park > 0) + (o.iterations > 1) > 1) return usage("--iterations, --burst and --park exclude each other");
  if (i >= argc) return usage("run needs FILE");
  o.file = argv[i++];
  if (i < argc && strcmp(argv[i], "--") == 0) i++;
  o.guest_argc = 1 + (argc - i);
  o.guest_argv = calloc((size_t)o.guest_argc, sizeof *o.guest_argv);
  o.guest_argv[0] = o.argv0 ? o.argv0 : "main";
  for (int k = 1; k < o.guest_argc; k++) o.guest_argv[k] = argv[i + k - 1];

  /* engine */
  double t0 = now_ms();
  wasm_engine_t *engine = new_engine(o.has_fuel, o.pooled, (uint32_t)(o.burst > o.park ? o.burst : o.park));
  double t1 = now_ms();

  /* load */
  wasmtime_component_t *component = NULL;
  wasmtime_error_t *err = NULL;
  if (o.aot) {
    if (access(o.file, R_OK) != 0) {
      fprintf(stderr, "%s: cannot read %s: %s\n", prog, o.file, strerror(errno));
      return EXIT_LOAD;
    }
    err = wasmtime_component_deserialize_file(engine, o.file, &component);
    if (err) { print_error_line("cannot deserialize component", err); return EXIT_LOAD; }
  } else {
    size_t len = 0;
    uint8_t *wasm = read_file(o.file, &len);
    if (!wasm) {
      fprintf(stderr, "%s: cannot read %s: %s\n", prog, o.file, strerror(errno));
      return EXIT_LOAD;
    }
    err = wasmtime_component_new(engine, wasm, len, &component);
    free(wasm);
    if (err) { print_error_line("cannot compile component", err); return EXIT_LOAD; }
  }
  char run_name[128] = "";
  wasmtime_component_export_index_t *run_idx = find_run_export(engine, component, run_name, sizeof run_name);
  if (!run_idx) {
    fprintf(stderr, "%s: %s exports no wasi:cli/run@0.2.* run function (not a WASI command component)\n", prog, o.file);
    return EXIT_LOAD;
  }
  double t2 = now_ms();

  /* linker, shared by all iterations */
  wasmtime_component_linker_t *linker = wasmtime_component_linker_new(engine);
  err = wasmtime_component_linker_add_wasip2(linker);
  if (err) { print_error_line("cannot add WASI p2 to the linker", err); return EXIT_LOAD; }
  double linker_ms = now_ms() - t2;

  int status = 0;
  if (o.burst || o.park) {
    uint64_t n = o.burst ? o.burst : o.park;
    double tb = 0;
    struct request *rq = run_threads(&o, engine, linker, component, run_idx, n, o.burst > 0, &tb);
    if (o.burst) {
      write_burst(&o, t1 - t0, t2 - t1, linker_ms, rq, tb);
    } else {
      for (uint64_t k = 0; k < n && status == 0; k++) status = rq[k].status;
    }
    for (uint64_t k = 0; k < n; k++) {
      free(rq[k].out.buf);
      free(rq[k].err.buf);
    }
    free(rq);
  } else {
    struct iteration *it = calloc((size_t)o.iterations, sizeof *it);
    uint64_t ran = 0;
    for (uint64_t k = 0; k < o.iterations; k++) {
      bool trapped = false, load_failed = false;
      status = run_once(&o, engine, linker, component, run_idx, &it[k], &trapped, &load_failed, NULL, NULL);
      if (load_failed) break;
      ran++;
      if (trapped) break;
    }
    write_timings(&o, t1 - t0, t2 - t1, linker_ms, it, ran);
    free(it);
  }

  wasmtime_component_export_index_delete(run_idx);
  wasmtime_component_linker_delete(linker);
  wasmtime_component_delete(component);
  wasm_engine_delete(engine);
  for (int k = 0; k < o.ndirs; k++) free(o.dir_host[k]);
  free(o.guest_argv);
  fflush(stdout);
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage("missing command");
  const char *cmd = argv[1];
  if (strcmp(cmd, "version") == 0) {
    if (argc != 2) return usage("version takes no arguments");
    printf("%s\n", WASMTIME_VERSION);
    return 0;
  }
  if (strcmp(cmd, "compile") == 0) return cmd_compile(argc - 2, argv + 2);
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  return usage("unknown command");
}
