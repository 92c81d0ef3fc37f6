// JNI entry points of io.gradquant.backend.NativeCpu. Every JNI call that can fail is checked;
// failures become Java exceptions through GQ_THROW, and C++ exceptions never cross into the JVM.
#include <jni.h>

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "gq_cpu.h"
#include "gq_vector.h"
#include "io_gradquant_backend_NativeCpu.h"

namespace {

// Bumped whenever a native signature or the meaning of an argument changes; the Java side
// refuses a library whose version differs.
constexpr jint ABI_VERSION = 2;

void throw_java(JNIEnv* env, const char* cls, const char* message) {
    if (env->ExceptionCheck()) return;  // keep the first, more precise exception
    jclass c = env->FindClass(cls);
    if (c != nullptr) env->ThrowNew(c, message);
}

#define GQ_THROW(env, cls, message, ...) \
    do {                                 \
        throw_java(env, cls, message);   \
        return __VA_ARGS__;              \
    } while (0)

}  // namespace

extern "C" {

JNIEXPORT jint JNICALL Java_io_gradquant_backend_NativeCpu_abiVersion(JNIEnv*, jclass) { return ABI_VERSION; }

JNIEXPORT jint JNICALL Java_io_gradquant_backend_NativeCpu_hardwareThreads(JNIEnv*, jclass) {
    return (jint)std::max(1u, std::thread::hardware_concurrency());
}

JNIEXPORT jint JNICALL Java_io_gradquant_backend_NativeCpu_vectorLevel(JNIEnv*, jclass) { return gq::vector_level(); }

JNIEXPORT jint JNICALL Java_io_gradquant_backend_NativeCpu_setVectorLevel(JNIEnv*, jclass, jint level) {
    return gq::set_vector_level(level);
}

JNIEXPORT jlong JNICALL Java_io_gradquant_backend_NativeCpu_address(JNIEnv* env, jclass, jobject buffer) {
    void* p = env->GetDirectBufferAddress(buffer);
    return (jlong)(intptr_t)p;  // 0 for a heap buffer; the Java side reports it
}

JNIEXPORT void JNICALL Java_io_gradquant_backend_NativeCpu_copy(JNIEnv*, jclass, jlong src, jlong dst, jlong n,
                                                                 jint threads) {
    gq::copy_cpu((const float*)(intptr_t)src, (float*)(intptr_t)dst, (int64_t)n, threads);
}

JNIEXPORT void JNICALL Java_io_gradquant_backend_NativeCpu_quantize(
        JNIEnv* env, jclass, jint type, jint bucket_size, jint levels, jlong seed, jdouble smart_fraction, jint norm,
        jboolean per_segment, jlong step, jlongArray addresses, jlongArray lengths, jint threads, jdoubleArray stats_out) {
    jsize count = env->GetArrayLength(addresses);
    if (env->GetArrayLength(lengths) != count) GQ_THROW(env, "java/lang/IllegalArgumentException", "addresses and lengths differ in length");
    if (env->GetArrayLength(stats_out) < 4) GQ_THROW(env, "java/lang/IllegalArgumentException", "stats array shorter than 4");
    try {
        std::vector<jlong> address(count), length(count);
        env->GetLongArrayRegion(addresses, 0, count, address.data());
        env->GetLongArrayRegion(lengths, 0, count, length.data());
        if (env->ExceptionCheck()) return;
        std::vector<gq::Segment> segments(count);
        for (jsize i = 0; i < count; i++) segments[i] = {(float*)(intptr_t)address[i], (int64_t)length[i]};
        gq::Spec spec = {type, bucket_size, levels, (uint64_t)seed, smart_fraction, norm, per_segment == JNI_TRUE};
        gq::Stats stats;
        const char* error = gq::quantize_cpu(spec, (uint64_t)step, segments.data(), (int)count, threads, &stats);
        if (error != nullptr) GQ_THROW(env, "java/lang/OutOfMemoryError", error);
        jdouble out[4] = {stats.variance, stats.norm_squared, (jdouble)stats.buckets, (jdouble)stats.non_finite};
        env->SetDoubleArrayRegion(stats_out, 0, 4, out);
    } catch (const std::bad_alloc&) {
        GQ_THROW(env, "java/lang/OutOfMemoryError", "out of memory in native quantization set-up (nothing written)");
    } catch (const std::exception& e) {
        GQ_THROW(env, "java/lang/IllegalStateException", e.what());
    }
}

}  // extern "C"
