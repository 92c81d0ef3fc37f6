// libcuda.so.1 for tests on machines without a GPU: the CUDA driver calls that JCuda makes for
// io.gradquant.backend.CudaBackend, implemented on the CPU. Device memory is host memory, the
// module's kernels are the ones of cuda/ compiled by g++ into this library (the fatbin image is
// checked for its magic number and otherwise ignored), and a launch runs them through
// shim_runtime.cpp. A kernel is found by its name among this library's own symbols, so a build
// that links more kernels in (the benchmarks' stand-in, EXTRA_KERNELS in the Makefile) has them too.
//
// Environment, read at cuInit (for the probe's failure paths):
//   GQ_STANDIN_DEVICES         number of devices, default 1 (0: cuInit fails with NO_DEVICE)
//   GQ_STANDIN_DRIVER_VERSION  what cuDriverGetVersion reports, default 13000 (CUDA 13.0)
//   GQ_STANDIN_CC              compute capability "major.minor", default 9.0
//
// It checks what a real driver checks where a test would otherwise miss a bug: calls before
// cuInit, a missing current context on the calling thread, copies outside live allocations,
// frees of unknown pointers, launch shapes.
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <map>
#include <mutex>
#include <string>

#include "gq_call.cuh"
#include "shim_runtime.h"

namespace {

// The subset of cuda.h the stand-in needs, with the same values and ABI.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
enum : CUresult {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
};

struct Context {
    int device;
};
struct Module {
    int loaded;
};
// Every kernel of cuda/ is extern "C" void name(const gq::Call*).
using KernelEntry = void (*)(const gq::Call*);
struct Function {
    std::string name;
    KernelEntry entry;
};
// What a launch hands the block engine: the kernel and its argument.
struct Launch {
    KernelEntry entry;
    const gq::Call* call;
};
void run_launch(const void* launch) {
    const Launch* l = static_cast<const Launch*>(launch);
    l->entry(l->call);
}

constexpr size_t TOTAL_MEMORY = 16ull << 30;
constexpr uint32_t FATBIN_MAGIC = 0xBA55ED50u;

std::mutex lock;
bool initialised = false;
int device_count = 1;
int driver_version = 13000;
int cc_major = 9, cc_minor = 0;
Context primary = {0};
int primary_references = 0;
std::map<uintptr_t, size_t> allocations;  // device pointer -> bytes
std::map<std::string, Function> functions;  // kernels looked up so far, by name
size_t allocated = 0;
thread_local Context* current = nullptr;

int env_int(const char* name, int fallback) {
    const char* v = getenv(name);
    return v != nullptr && *v != '\0' ? atoi(v) : fallback;
}

CUresult need_device(CUdevice d) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    return d >= 0 && d < device_count ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

CUresult need_context() {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    return current != nullptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

// Whether [p, p+bytes) lies inside one live allocation.
bool inside_allocation(CUdeviceptr p, size_t bytes) {
    std::lock_guard<std::mutex> guard(lock);
    auto it = allocations.upper_bound((uintptr_t)p);
    if (it == allocations.begin()) return false;
    --it;
    return (uintptr_t)p + bytes <= it->first + it->second;
}

}  // namespace

extern "C" {

CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    device_count = env_int("GQ_STANDIN_DEVICES", 1);
    driver_version = env_int("GQ_STANDIN_DRIVER_VERSION", 13000);
    const char* cc = getenv("GQ_STANDIN_CC");
    if (cc != nullptr && sscanf(cc, "%d.%d", &cc_major, &cc_minor) != 2) return CUDA_ERROR_INVALID_VALUE;
    if (device_count <= 0) return CUDA_ERROR_NO_DEVICE;
    initialised = true;
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *version = driver_version;  // works before cuInit, as the real one does
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int* count) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    *count = device_count;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    CUresult r = need_device(ordinal);
    if (r == CUDA_SUCCESS) *device = ordinal;
    return r;
}

CUresult cuDeviceGetName(char* name, int length, CUdevice d) {
    CUresult r = need_device(d);
    if (r != CUDA_SUCCESS) return r;
    if (name == nullptr || length <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)length, "gradquant CPU stand-in (not a GPU)");
    return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) {
    CUresult r = need_device(d);
    if (r == CUDA_SUCCESS) *bytes = TOTAL_MEMORY;
    return r;
}

CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice d) {
    CUresult r = need_device(d);
    if (r != CUDA_SUCCESS) return r;
    switch (attribute) {
        case 1: *value = 1024; break;          // MAX_THREADS_PER_BLOCK
        case 8: *value = 48 * 1024; break;     // MAX_SHARED_MEMORY_PER_BLOCK
        case 10: *value = 32; break;           // WARP_SIZE
        case 16: *value = 2; break;            // MULTIPROCESSOR_COUNT: few blocks, few block epilogues
        case 39: *value = 2048; break;         // MAX_THREADS_PER_MULTIPROCESSOR
        case 75: *value = cc_major; break;     // COMPUTE_CAPABILITY_MAJOR
        case 76: *value = cc_minor; break;     // COMPUTE_CAPABILITY_MINOR
        case 97: *value = 48 * 1024; break;    // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        default: return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(Context** context, CUdevice d) {
    CUresult r = need_device(d);
    if (r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> guard(lock);
    primary_references++;
    *context = &primary;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    CUresult r = need_device(d);
    if (r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> guard(lock);
    if (primary_references == 0) return CUDA_ERROR_INVALID_CONTEXT;
    primary_references--;
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(Context* context) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (context != nullptr && context != &primary) return CUDA_ERROR_INVALID_CONTEXT;
    current = context;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(Context** context) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    *context = current;
    return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize() { return need_context(); }  // every launch and copy is synchronous

CUresult cuStreamSynchronize(void* stream) {
    (void)stream;
    return need_context();
}

CUresult cuModuleLoadData(Module** module, const void* image) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    uint32_t magic;
    if (image == nullptr) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&magic, image, 4);
    if (magic != FATBIN_MAGIC) return CUDA_ERROR_INVALID_IMAGE;
    *module = new Module{1};
    return CUDA_SUCCESS;
}

CUresult cuModuleUnload(Module* module) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (module == nullptr || module->loaded != 1) return CUDA_ERROR_INVALID_HANDLE;
    module->loaded = 0;
    delete module;
    return CUDA_SUCCESS;
}

CUresult cuModuleGetFunction(Function** function, Module* module, const char* name) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (module == nullptr || module->loaded != 1) return CUDA_ERROR_INVALID_HANDLE;
    if (function == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    // only kernels (gq_*), never a driver function of this library
    if (strncmp(name, "gq_", 3) != 0) return CUDA_ERROR_NOT_FOUND;
    std::lock_guard<std::mutex> guard(lock);
    auto known = functions.find(name);
    if (known == functions.end()) {
        // this library by its soname: the JVM loads it as a dependency of JCuda's, into a local
        // scope that dlsym(RTLD_DEFAULT, ...) does not search
        void* self = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
        if (self == nullptr) return CUDA_ERROR_NOT_FOUND;
        void* symbol = dlsym(self, name);
        dlclose(self);
        if (symbol == nullptr) return CUDA_ERROR_NOT_FOUND;
        known = functions.emplace(name, Function{name, reinterpret_cast<KernelEntry>(symbol)}).first;
    }
    *function = &known->second;  // std::map keeps it in place
    return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(Function* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared_bytes, void* stream, void** parameters, void** extra) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (f == nullptr || parameters == nullptr || extra != nullptr) return CUDA_ERROR_INVALID_VALUE;
    // the legacy default stream: null or CU_STREAM_LEGACY (1); every launch here is synchronous
    if (stream != nullptr && stream != (void*)1) return CUDA_ERROR_INVALID_HANDLE;
    // every kernel of cuda/ takes one argument: the device address of its gq::Call
    CUdeviceptr call;
    memcpy(&call, parameters[0], sizeof call);
    if (!inside_allocation(call, sizeof(gq::Call))) {
        fprintf(stderr, "stand-in: %s launched with argument %#llx outside any allocation\n", f->name.c_str(), call);
        return CUDA_ERROR_INVALID_VALUE;
    }
    Launch launch = {f->entry, reinterpret_cast<const gq::Call*>((uintptr_t)call)};
    std::string refused = gq_shim::launch(run_launch, &launch, dim3{gx, gy, gz}, dim3{bx, by, bz}, shared_bytes);
    if (!refused.empty()) {
        fprintf(stderr, "stand-in: %s: %s\n", f->name.c_str(), refused.c_str());
        return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (pointer == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> guard(lock);
    if (allocated + bytes > TOTAL_MEMORY) return CUDA_ERROR_OUT_OF_MEMORY;
    void* p = aligned_alloc(256, (bytes + 255) / 256 * 256);  // cudaMalloc aligns to 256 bytes
    if (p == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
    allocations[(uintptr_t)p] = bytes;
    allocated += bytes;
    *pointer = (CUdeviceptr)(uintptr_t)p;
    return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> guard(lock);
    auto it = allocations.find((uintptr_t)pointer);
    if (it == allocations.end()) return CUDA_ERROR_INVALID_VALUE;
    allocated -= it->second;
    allocations.erase(it);
    free((void*)(uintptr_t)pointer);
    return CUDA_SUCCESS;
}

CUresult cuMemGetInfo_v2(size_t* free_bytes, size_t* total_bytes) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> guard(lock);
    *free_bytes = TOTAL_MEMORY - allocated;
    *total_bytes = TOTAL_MEMORY;
    return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr device, const void* host, size_t bytes) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (host == nullptr || !inside_allocation(device, bytes)) return CUDA_ERROR_INVALID_VALUE;
    memcpy((void*)(uintptr_t)device, host, bytes);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void* host, CUdeviceptr device, size_t bytes) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (host == nullptr || !inside_allocation(device, bytes)) return CUDA_ERROR_INVALID_VALUE;
    memcpy(host, (const void*)(uintptr_t)device, bytes);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr to, CUdeviceptr from, size_t bytes) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (!inside_allocation(to, bytes) || !inside_allocation(from, bytes)) return CUDA_ERROR_INVALID_VALUE;
    memmove((void*)(uintptr_t)to, (const void*)(uintptr_t)from, bytes);
    return CUDA_SUCCESS;
}

CUresult cuMemsetD8_v2(CUdeviceptr device, unsigned char value, size_t count) {
    CUresult r = need_context();
    if (r != CUDA_SUCCESS) return r;
    if (!inside_allocation(device, count)) return CUDA_ERROR_INVALID_VALUE;
    memset((void*)(uintptr_t)device, value, count);
    return CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult error, const char** name) {
    switch (error) {
        case CUDA_SUCCESS: *name = "CUDA_SUCCESS"; break;
        case CUDA_ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; break;
        case CUDA_ERROR_OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; break;
        case CUDA_ERROR_NOT_INITIALIZED: *name = "CUDA_ERROR_NOT_INITIALIZED"; break;
        case CUDA_ERROR_NO_DEVICE: *name = "CUDA_ERROR_NO_DEVICE"; break;
        case CUDA_ERROR_INVALID_DEVICE: *name = "CUDA_ERROR_INVALID_DEVICE"; break;
        case CUDA_ERROR_INVALID_IMAGE: *name = "CUDA_ERROR_INVALID_IMAGE"; break;
        case CUDA_ERROR_INVALID_CONTEXT: *name = "CUDA_ERROR_INVALID_CONTEXT"; break;
        case CUDA_ERROR_INVALID_HANDLE: *name = "CUDA_ERROR_INVALID_HANDLE"; break;
        case CUDA_ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; break;
        case CUDA_ERROR_LAUNCH_FAILED: *name = "CUDA_ERROR_LAUNCH_FAILED"; break;
        case CUDA_ERROR_NOT_SUPPORTED: *name = "CUDA_ERROR_NOT_SUPPORTED"; break;
        default: *name = nullptr; return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

CUresult cuGetErrorString(CUresult error, const char** text) {
    CUresult r = cuGetErrorName(error, text);
    if (r == CUDA_SUCCESS && error == CUDA_ERROR_NO_DEVICE) *text = "no CUDA-capable device is detected";
    return r;
}

// The stubs generated from JCuda's imports (see the Makefile) end up here.
CUresult gq_standin_unimplemented(const char* name) {
    fprintf(stderr, "stand-in: driver function %s is not implemented by the CPU stand-in\n", name);
    return CUDA_ERROR_NOT_SUPPORTED;
}

}  // extern "C"
