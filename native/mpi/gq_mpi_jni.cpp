// JNI entry points of io.gradquant.distributed.MpiNative: a thin layer over Open MPI, built with
// mpicxx into libgradquant_mpi.so, loaded only for distributed runs.
//
// Every MPI call runs on `comm`, a duplicate of MPI_COMM_WORLD whose error handler is
// MPI_ERRORS_RETURN, and goes through MPI_CHECK: a failing return code becomes a C++ exception
// naming the call and MPI's error string. Every JNI body sits between GQ_MPI_BEGIN and GQ_MPI_END,
// which turn that exception (and any other) into one io.gradquant.distributed.MpiException, so
// errors become Java exceptions in one place and C++ exceptions never cross into the JVM.
// Buffers arrive as direct NIO buffers plus byte offsets; the Java side has checked the ranges.
#include <dlfcn.h>
#include <jni.h>
#include <mpi.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "io_gradquant_distributed_MpiNative.h"

namespace {

// Bumped whenever a native signature or the meaning of an argument changes; the Java side
// refuses a library whose version differs.
constexpr jint ABI_VERSION = 1;

jclass mpi_exception = nullptr;  // global reference, set in JNI_OnLoad
MPI_Comm comm = MPI_COMM_NULL;   // our duplicate of MPI_COMM_WORLD, MPI_ERRORS_RETURN

struct MpiError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(rc, text, &length) != MPI_SUCCESS) length = 0;
    throw MpiError(std::string(call) + " failed: " + (length > 0 ? std::string(text, length) : "error code " + std::to_string(rc)));
}

#define MPI_CHECK(call) check((call), #call)

void require_comm() {
    if (comm == MPI_COMM_NULL) throw MpiError("MPI is not initialised (or already finalised) in this process");
}

void throw_java(JNIEnv* env, const std::string& message) {
    if (env->ExceptionCheck()) return;  // keep the first, more precise exception
    env->ThrowNew(mpi_exception, message.c_str());
}

#define GQ_MPI_BEGIN() try {
#define GQ_MPI_END(...)                                                                   \
    }                                                                                     \
    catch (const std::exception& e) {                                                     \
        throw_java(env, e.what());                                                        \
        return __VA_ARGS__;                                                               \
    }                                                                                     \
    catch (...) {                                                                         \
        throw_java(env, "unexpected native exception in libgradquant_mpi");              \
        return __VA_ARGS__;                                                               \
    }

// Address of byte `offset` of a direct buffer.
char* address(JNIEnv* env, jobject buffer, jlong offset) {
    void* base = env->GetDirectBufferAddress(buffer);
    if (base == nullptr) throw std::invalid_argument("not a direct buffer");
    return static_cast<char*>(base) + offset;
}

// A Java int[] of `size` entries, copied out.
std::vector<int> ints(JNIEnv* env, jintArray array, int size, const char* what) {
    if (array == nullptr || env->GetArrayLength(array) != size) {
        throw std::invalid_argument(std::string(what) + " must have one entry per rank");
    }
    std::vector<int> out(size);
    env->GetIntArrayRegion(array, 0, size, out.data());
    if (env->ExceptionCheck()) throw std::runtime_error(std::string("cannot read ") + what);
    return out;
}

int world_size() {
    int size = 0;
    MPI_CHECK(MPI_Comm_size(comm, &size));
    return size;
}

}  // namespace

extern "C" {

// Open MPI loads its components (transports, PMIx) with dlopen; they expect libmpi's symbols to be
// global, while System.load opens this library, and libmpi with it, RTLD_LOCAL. Reopen the libmpi
// we were linked against with RTLD_GLOBAL (RTLD_NOLOAD: it is loaded already), as Open MPI's own
// Java bindings do.
JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
    JNIEnv* env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    jclass local = env->FindClass("io/gradquant/distributed/MpiException");
    if (local == nullptr) return JNI_ERR;
    mpi_exception = static_cast<jclass>(env->NewGlobalRef(local));
    env->DeleteLocalRef(local);
    if (mpi_exception == nullptr) return JNI_ERR;
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&MPI_Init_thread), &info) == 0 || info.dli_fname == nullptr
        || dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) == nullptr) {
        return JNI_ERR;
    }
    return JNI_VERSION_1_8;
}

JNIEXPORT jint JNICALL Java_io_gradquant_distributed_MpiNative_abiVersion(JNIEnv*, jclass) { return ABI_VERSION; }

JNIEXPORT jstring JNICALL Java_io_gradquant_distributed_MpiNative_libraryVersion(JNIEnv* env, jclass) {
    GQ_MPI_BEGIN()
    char text[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_CHECK(MPI_Get_library_version(text, &length));
    return env->NewStringUTF(std::string(text, length).c_str());
    GQ_MPI_END(nullptr)
}

JNIEXPORT jintArray JNICALL Java_io_gradquant_distributed_MpiNative_init(JNIEnv* env, jclass) {
    GQ_MPI_BEGIN()
    int initialized = 0;
    MPI_CHECK(MPI_Initialized(&initialized));
    int provided = MPI_THREAD_SINGLE;
    if (!initialized) {
        MPI_CHECK(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided));
    } else {
        MPI_CHECK(MPI_Query_thread(&provided));
    }
    if (comm == MPI_COMM_NULL) {
        MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
        MPI_Comm dup = MPI_COMM_NULL;
        MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
        MPI_CHECK(MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN));
        comm = dup;
    }
    int rank = 0;
    MPI_CHECK(MPI_Comm_rank(comm, &rank));
    jint out[3] = {rank, world_size(), provided};
    jintArray result = env->NewIntArray(3);
    if (result == nullptr) return nullptr;  // OutOfMemoryError pending
    env->SetIntArrayRegion(result, 0, 3, out);
    return result;
    GQ_MPI_END(nullptr)
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_finish(JNIEnv* env, jclass) {
    GQ_MPI_BEGIN()
    require_comm();
    MPI_CHECK(MPI_Comm_free(&comm));
    comm = MPI_COMM_NULL;
    MPI_CHECK(MPI_Finalize());
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_abort(JNIEnv* env, jclass, jint code) {
    GQ_MPI_BEGIN()
    MPI_CHECK(MPI_Abort(MPI_COMM_WORLD, code));
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_barrier(JNIEnv* env, jclass) {
    GQ_MPI_BEGIN()
    require_comm();
    MPI_CHECK(MPI_Barrier(comm));
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_broadcast(JNIEnv* env, jclass, jobject buffer,
                                                                        jlong offset, jint bytes, jint root) {
    GQ_MPI_BEGIN()
    require_comm();
    MPI_CHECK(MPI_Bcast(address(env, buffer, offset), bytes, MPI_BYTE, root, comm));
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_allgatherLong(JNIEnv* env, jclass, jlong value,
                                                                            jlongArray out) {
    GQ_MPI_BEGIN()
    require_comm();
    int size = world_size();
    if (out == nullptr || env->GetArrayLength(out) != size) throw std::invalid_argument("out must have one entry per rank");
    std::vector<int64_t> received(size);
    int64_t mine = value;
    MPI_CHECK(MPI_Allgather(&mine, 1, MPI_INT64_T, received.data(), 1, MPI_INT64_T, comm));
    env->SetLongArrayRegion(out, 0, size, reinterpret_cast<const jlong*>(received.data()));
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_alltoallLong(JNIEnv* env, jclass, jlongArray send,
                                                                           jlongArray recv) {
    GQ_MPI_BEGIN()
    require_comm();
    int size = world_size();
    if (send == nullptr || recv == nullptr || env->GetArrayLength(send) != size || env->GetArrayLength(recv) != size) {
        throw std::invalid_argument("send and recv must have one entry per rank");
    }
    std::vector<int64_t> out(size), in(size);
    env->GetLongArrayRegion(send, 0, size, reinterpret_cast<jlong*>(out.data()));
    if (env->ExceptionCheck()) throw std::runtime_error("cannot read send");
    MPI_CHECK(MPI_Alltoall(out.data(), 1, MPI_INT64_T, in.data(), 1, MPI_INT64_T, comm));
    env->SetLongArrayRegion(recv, 0, size, reinterpret_cast<const jlong*>(in.data()));
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_allgatherv(JNIEnv* env, jclass, jobject send,
                                                                         jlong send_offset, jint send_bytes,
                                                                         jobject recv, jlong recv_offset,
                                                                         jintArray counts, jintArray displs) {
    GQ_MPI_BEGIN()
    require_comm();
    int size = world_size();
    std::vector<int> c = ints(env, counts, size, "counts"), d = ints(env, displs, size, "displs");
    MPI_CHECK(MPI_Allgatherv(address(env, send, send_offset), send_bytes, MPI_BYTE, address(env, recv, recv_offset),
                             c.data(), d.data(), MPI_BYTE, comm));
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_alltoallv(JNIEnv* env, jclass, jobject send,
                                                                        jlong send_offset, jintArray send_counts,
                                                                        jintArray send_displs, jobject recv,
                                                                        jlong recv_offset, jintArray recv_counts,
                                                                        jintArray recv_displs) {
    GQ_MPI_BEGIN()
    require_comm();
    int size = world_size();
    std::vector<int> sc = ints(env, send_counts, size, "sendCounts"), sd = ints(env, send_displs, size, "sendDispls");
    std::vector<int> rc = ints(env, recv_counts, size, "recvCounts"), rd = ints(env, recv_displs, size, "recvDispls");
    MPI_CHECK(MPI_Alltoallv(address(env, send, send_offset), sc.data(), sd.data(), MPI_BYTE,
                            address(env, recv, recv_offset), rc.data(), rd.data(), MPI_BYTE, comm));
    GQ_MPI_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_distributed_MpiNative_allreduceSumFloat(JNIEnv* env, jclass, jobject buffer,
                                                                                jlong offset, jint count) {
    GQ_MPI_BEGIN()
    require_comm();
    MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, address(env, buffer, offset), count, MPI_FLOAT, MPI_SUM, comm));
    GQ_MPI_END()
}

}  // extern "C"
