/*
 * wasmtime_api.h: our own declarations of the few Wasmtime C API functions and
 * types that host.c uses.
 *
 * The `wasmtime` pip wheel ships libwasmtime (`_libwasmtime.so`) but no C
 * headers. Every signature and struct layout below was transcribed from that
 * wheel's `wasmtime/_bindings.py` (wasmtime 49.0.0), the ctypes bindings that
 * wasmtime-py generates from the C API headers: `restype` gives the return type
 * and `argtypes` the parameters. Types that the C API keeps opaque are opaque
 * here too. The few value types we allocate ourselves (a component function, a
 * component instance, a component value, a byte vector) copy the layouts of
 * the ctypes Structures in _bindings.py, and host.c checks their sizes with
 * _Static_assert against ctypes.sizeof on x86-64.
 *
 * If libwasmtime changes one of these, update this file from the newer
 * wheel's _bindings.py.
 */
#ifndef WVC_WASMTIME_API_H
#define WVC_WASMTIME_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- opaque handles ---------------------------------------------------- */
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasmtime_pooling_allocation_config_t wasmtime_pooling_allocation_config_t;
typedef struct wasmtime_store_t wasmtime_store_t;
typedef struct wasmtime_context_t wasmtime_context_t;
typedef struct wasmtime_error_t wasmtime_error_t;
typedef struct wasi_config_t wasi_config_t;
typedef struct wasmtime_component_t wasmtime_component_t;
typedef struct wasmtime_component_type_t wasmtime_component_type_t;
typedef struct wasmtime_component_extern_t wasmtime_component_extern_t;
typedef struct wasmtime_component_export_index_t wasmtime_component_export_index_t;
typedef struct wasmtime_component_linker_t wasmtime_component_linker_t;

/* ---- plain value types (layouts from _bindings.py) --------------------- */

/* class wasm_byte_vec_t: size (c_size_t), data (POINTER(c_ubyte)); wasm_name_t = wasm_byte_vec_t */
typedef struct wasm_byte_vec_t {
  size_t size;
  uint8_t *data;
} wasm_byte_vec_t;
typedef wasm_byte_vec_t wasm_name_t;

/* class wasmtime_component_instance: store_id (c_uint64), __private (c_uint32) */
typedef struct wasmtime_component_instance_t {
  uint64_t store_id;
  uint32_t __private;
} wasmtime_component_instance_t;

/* class wasmtime_component_func: _anon_1 {store_id c_uint64, __private1 c_uint32},
 * __private2 (c_uint32), __private3 (c_void_p) */
typedef struct wasmtime_component_func_t {
  struct {
    uint64_t store_id;
    uint32_t __private1;
  } _anon_1;
  uint32_t __private2;
  void *__private3;
} wasmtime_component_func_t;

/* wasmtime_component_valkind_t = c_uint8; the kinds come from _ffi.py
 * (WASMTIME_COMPONENT_BOOL = 0 ... WASMTIME_COMPONENT_RESULT = 19). */
typedef uint8_t wasmtime_component_valkind_t;
#define WASMTIME_COMPONENT_RESULT ((wasmtime_component_valkind_t)19)

struct wasmtime_component_val_t;

/* class wasmtime_component_valresult: is_ok (c_bool), val (POINTER(wasmtime_component_val)) */
typedef struct wasmtime_component_valresult_t {
  bool is_ok;
  struct wasmtime_component_val_t *val;
} wasmtime_component_valresult_t;

/* class wasmtime_component_valvariant: discriminant (wasm_name_t), val (POINTER(...)).
 * The largest member of the union (24 bytes); declared so the union has its real size. */
typedef struct wasmtime_component_valvariant_t {
  wasm_name_t discriminant;
  struct wasmtime_component_val_t *val;
} wasmtime_component_valvariant_t;

/* class wasmtime_component_valunion: only the members host.c reads, plus the
 * largest one so that sizeof matches (24 bytes, align 8). */
typedef union wasmtime_component_valunion_t {
  bool boolean;
  uint32_t u32;
  uint64_t u64;
  wasm_name_t string;
  wasmtime_component_valvariant_t variant;
  wasmtime_component_valresult_t result;
} wasmtime_component_valunion_t;

/* class wasmtime_component_val: kind (c_uint8), of (wasmtime_component_valunion_t) */
typedef struct wasmtime_component_val_t {
  wasmtime_component_valkind_t kind;
  wasmtime_component_valunion_t of;
} wasmtime_component_val_t;

/* ---- config and engine ------------------------------------------------- */
wasm_config_t *wasm_config_new(void);
void wasm_config_delete(wasm_config_t *);
void wasmtime_config_consume_fuel_set(wasm_config_t *, bool);
void wasmtime_config_memory_init_cow_set(wasm_config_t *, bool);

/* ---- the pooling allocator --------------------------------------------- */
/* A config to fill in and hand to wasmtime_pooling_allocation_strategy_set, which
 * copies it (the caller still deletes it). The count setters take c_uint32, the
 * size setters c_size_t (argtypes in _bindings.py). */
wasmtime_pooling_allocation_config_t *wasmtime_pooling_allocation_config_new(void);
void wasmtime_pooling_allocation_config_delete(wasmtime_pooling_allocation_config_t *);
void wasmtime_pooling_allocation_config_total_component_instances_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_max_component_instance_size_set(wasmtime_pooling_allocation_config_t *, size_t);
void wasmtime_pooling_allocation_config_max_core_instances_per_component_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_max_memories_per_component_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_max_tables_per_component_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_total_core_instances_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_total_memories_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_total_tables_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_total_stacks_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_total_gc_heaps_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_max_memory_size_set(wasmtime_pooling_allocation_config_t *, size_t);
void wasmtime_pooling_allocation_config_max_memories_per_module_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_max_tables_per_module_set(wasmtime_pooling_allocation_config_t *, uint32_t);
void wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(wasmtime_pooling_allocation_config_t *, size_t);
void wasmtime_pooling_allocation_config_table_keep_resident_set(wasmtime_pooling_allocation_config_t *, size_t);
void wasmtime_pooling_allocation_strategy_set(wasm_config_t *, const wasmtime_pooling_allocation_config_t *);
/* Takes ownership of the config. There is no fallible variant in the C API: a config
 * that cannot make an engine (e.g. a pool whose address space cannot be reserved)
 * panics inside libwasmtime and the process aborts. */
wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *);
void wasm_engine_delete(wasm_engine_t *);

/* ---- bytes and errors -------------------------------------------------- */
void wasm_byte_vec_delete(wasm_byte_vec_t *);
void wasmtime_error_message(const wasmtime_error_t *error, wasm_name_t *message);
bool wasmtime_error_exit_status(const wasmtime_error_t *, int *status);
void wasmtime_error_delete(wasmtime_error_t *error);

/* ---- store ------------------------------------------------------------- */
wasmtime_store_t *wasmtime_store_new(wasm_engine_t *engine, void *data, void (*finalizer)(void *));
wasmtime_context_t *wasmtime_store_context(wasmtime_store_t *store);
void wasmtime_store_limiter(wasmtime_store_t *store, int64_t memory_size, int64_t table_elements,
                            int64_t instances, int64_t tables, int64_t memories);
void wasmtime_store_delete(wasmtime_store_t *store);
wasmtime_error_t *wasmtime_context_set_fuel(wasmtime_context_t *store, uint64_t fuel);
/* Takes ownership of the WASI config, also on failure. */
wasmtime_error_t *wasmtime_context_set_wasi(wasmtime_context_t *context, wasi_config_t *wasi);

/* ---- WASI configuration ------------------------------------------------ */
wasi_config_t *wasi_config_new(void);
void wasi_config_delete(wasi_config_t *);
bool wasi_config_set_argv(wasi_config_t *config, size_t argc, const char *argv[]);
bool wasi_config_set_env(wasi_config_t *config, size_t envc, const char *names[], const char *values[]);
void wasi_config_inherit_stdout(wasi_config_t *config);
void wasi_config_inherit_stderr(wasi_config_t *config);
/*
 * The guest's stdout/stderr go to callback(data, buf, len), which returns the bytes it
 * took (ctypes.c_ssize_t in _bindings.py: ptrdiff_t here) or -1 for an error; finalizer(data)
 * runs when the WASI context is dropped (may be NULL).
 */
typedef ptrdiff_t (*wasi_output_callback_t)(void *data, const unsigned char *buf, size_t len);
void wasi_config_set_stdout_custom(wasi_config_t *config, wasi_output_callback_t callback, void *data, void (*finalizer)(void *));
void wasi_config_set_stderr_custom(wasi_config_t *config, wasi_output_callback_t callback, void *data, void (*finalizer)(void *));
/* fs_mutable=false grants read-only access to the directory and the files in it. */
bool wasi_config_preopen_dir(wasi_config_t *config, const char *host_path, const char *guest_path,
                             bool fs_mutable);

/* ---- components -------------------------------------------------------- */
wasmtime_error_t *wasmtime_component_new(const wasm_engine_t *engine, const uint8_t *buf, size_t len,
                                         wasmtime_component_t **component_out);
wasmtime_error_t *wasmtime_component_serialize(const wasmtime_component_t *component, wasm_byte_vec_t *ret);
wasmtime_error_t *wasmtime_component_deserialize_file(const wasm_engine_t *engine, const char *path,
                                                      wasmtime_component_t **component_out);
void wasmtime_component_delete(wasmtime_component_t *component);

wasmtime_component_type_t *wasmtime_component_type(const wasmtime_component_t *component);
void wasmtime_component_type_delete(wasmtime_component_type_t *ty);
size_t wasmtime_component_type_export_count(const wasmtime_component_type_t *ty, const wasm_engine_t *engine);
/* name_ret points into the type (borrowed); ret is owned, free with wasmtime_component_extern_delete. */
bool wasmtime_component_type_export_nth(const wasmtime_component_type_t *ty, const wasm_engine_t *engine,
                                        size_t nth, const char **name_ret, size_t *name_len_ret,
                                        wasmtime_component_extern_t **ret);
void wasmtime_component_extern_delete(wasmtime_component_extern_t *ptr);

wasmtime_component_export_index_t *wasmtime_component_get_export_index(
    const wasmtime_component_t *component, const wasmtime_component_export_index_t *instance_export_index,
    const char *name, size_t name_len);
void wasmtime_component_export_index_delete(wasmtime_component_export_index_t *export_index);

/* ---- linker and instances ---------------------------------------------- */
wasmtime_component_linker_t *wasmtime_component_linker_new(const wasm_engine_t *engine);
wasmtime_error_t *wasmtime_component_linker_add_wasip2(wasmtime_component_linker_t *linker);
wasmtime_error_t *wasmtime_component_linker_instantiate(const wasmtime_component_linker_t *linker,
                                                       wasmtime_context_t *context,
                                                       const wasmtime_component_t *component,
                                                       wasmtime_component_instance_t *instance_out);
void wasmtime_component_linker_delete(wasmtime_component_linker_t *linker);

bool wasmtime_component_instance_get_func(const wasmtime_component_instance_t *instance,
                                          wasmtime_context_t *context,
                                          const wasmtime_component_export_index_t *export_index,
                                          wasmtime_component_func_t *func_out);

/* ---- calls ------------------------------------------------------------- */
wasmtime_error_t *wasmtime_component_func_call(const wasmtime_component_func_t *func, wasmtime_context_t *context,
                                               const wasmtime_component_val_t *args, size_t args_size,
                                               wasmtime_component_val_t *results, size_t results_size);
wasmtime_error_t *wasmtime_component_func_post_return(const wasmtime_component_func_t *func,
                                                      wasmtime_context_t *context);
void wasmtime_component_val_delete(wasmtime_component_val_t *value);

#ifdef __cplusplus
}
#endif

#endif /* WVC_WASMTIME_API_H */
