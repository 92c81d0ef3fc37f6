// JNI entry points of io.gradquant.backend.NativeCpu. Every body sits between GQ_API_BEGIN and
// GQ_API_END, the one place where failures become Java exceptions: a C++ exception never crosses
// into the JVM, and a failed JNI call (whose Java exception is already pending) unwinds through
// JavaPending. Classes are looked up once, in JNI_OnLoad.
#include <jni.h>
#include <string.h>

#include <algorithm>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gq_cpu.h"
#include "gq_vector.h"
#include "io_gradquant_backend_NativeCpu.h"

namespace {

// Bumped whenever a native signature or the meaning of an argument changes; the Java side
// refuses a library whose version differs.
constexpr jint ABI_VERSION = 4;

// A JNI call failed and left a Java exception pending: unwind without raising another.
struct JavaPending {};

struct Classes {
    jclass illegal_argument, illegal_state, out_of_memory, message;
    jmethodID message_init;  // MessageException(String field, String message)
};

Classes classes;

jclass global_class(JNIEnv* env, const char* name) {
    jclass local = env->FindClass(name);
    if (local == nullptr) return nullptr;
    jclass global = (jclass)env->NewGlobalRef(local);
    env->DeleteLocalRef(local);
    return global;
}

void throw_new(JNIEnv* env, jclass cls, const char* message) {
    if (env->ExceptionCheck()) return;  // keep the first, more precise exception
    env->ThrowNew(cls, message);
}

void throw_message(JNIEnv* env, const gq::MessageError& e) {
    if (env->ExceptionCheck()) return;
    jstring field = env->NewStringUTF(e.field());
    jstring text = field == nullptr ? nullptr : env->NewStringUTF(e.what());
    jobject error = text == nullptr ? nullptr : env->NewObject(classes.message, classes.message_init, field, text);
    if (error != nullptr) env->Throw((jthrowable)error);  // otherwise the failed call's exception is pending
}

void check(JNIEnv* env) {
    if (env->ExceptionCheck()) throw JavaPending();
}

#define GQ_API_BEGIN try {
#define GQ_API_END(...)                                                                          \
    }                                                                                            \
    catch (const JavaPending&) {                                                                 \
    }                                                                                            \
    catch (const gq::MessageError& e) {                                                          \
        throw_message(env, e);                                                                   \
    }                                                                                            \
    catch (const std::invalid_argument& e) {                                                     \
        throw_new(env, classes.illegal_argument, e.what());                                      \
    }                                                                                            \
    catch (const std::bad_alloc&) {                                                              \
        throw_new(env, classes.out_of_memory, "out of memory for native scratch (nothing written)"); \
    }                                                                                            \
    catch (const std::exception& e) {                                                            \
        throw_new(env, classes.illegal_state, e.what());                                         \
    }                                                                                            \
    return __VA_ARGS__;

gq::Pool& pool_of(jlong handle) {
    if (handle == 0) throw std::invalid_argument("no thread pool (the backend is closed)");
    return *reinterpret_cast<gq::Pool*>(handle);
}

gq::SpecBlock read_spec(JNIEnv* env, jbyteArray block) {
    if (block == nullptr) throw std::invalid_argument("no quantizer parameter block");
    if (env->GetArrayLength(block) != (jsize)sizeof(gq::SpecBlock)) {
        throw std::invalid_argument("the quantizer parameter block must be " + std::to_string(sizeof(gq::SpecBlock)) + " bytes");
    }
    gq::SpecBlock spec;
    env->GetByteArrayRegion(block, 0, (jsize)sizeof spec, reinterpret_cast<jbyte*>(&spec));
    check(env);
    gq::check_spec(spec);
    return spec;
}

std::vector<gq::Segment> read_segments(JNIEnv* env, jlongArray addresses, jlongArray lengths) {
    if (addresses == nullptr || lengths == nullptr) throw std::invalid_argument("no segment addresses or lengths");
    jsize count = env->GetArrayLength(addresses);
    if (env->GetArrayLength(lengths) != count) throw std::invalid_argument("addresses and lengths differ in length");
    std::vector<jlong> address(count), length(count);
    env->GetLongArrayRegion(addresses, 0, count, address.data());
    check(env);
    env->GetLongArrayRegion(lengths, 0, count, length.data());
    check(env);
    std::vector<gq::Segment> segments(count);
    for (jsize i = 0; i < count; i++) {
        if (length[i] < 0 || (length[i] > 0 && address[i] == 0)) {
            throw std::invalid_argument("segment " + std::to_string(i) + " has address 0 or a negative length");
        }
        segments[i] = {reinterpret_cast<float*>((intptr_t)address[i]), (int64_t)length[i]};
    }
    return segments;
}

void write_stats(JNIEnv* env, jdoubleArray out, const gq::Stats& stats) {
    if (out == nullptr || env->GetArrayLength(out) < 4) throw std::invalid_argument("stats array shorter than 4");
    jdouble values[4] = {stats.variance, stats.norm_squared, (jdouble)stats.buckets, (jdouble)stats.non_finite};
    env->SetDoubleArrayRegion(out, 0, 4, values);
    check(env);
}

// The bytes of a message or output buffer: `size` bytes at `offset` of a heap array (pinned for the
// call) or, without an array, at address `offset`.
class Bytes {
public:
    Bytes(JNIEnv* env, jbyteArray array, jlong offset, jlong size) : env_(env), array_(array) {
        if (offset < 0 || size < 0) throw std::invalid_argument("negative buffer offset or size");
        if (array == nullptr) {
            if (offset == 0 && size > 0) throw std::invalid_argument("buffer address 0");
            data_ = reinterpret_cast<uint8_t*>((intptr_t)offset);
            return;
        }
        if (offset + size > (jlong)env->GetArrayLength(array)) throw std::invalid_argument("buffer range outside its array");
        pinned_ = static_cast<uint8_t*>(env->GetPrimitiveArrayCritical(array, nullptr));
        if (pinned_ == nullptr) {
            check(env);
            throw std::bad_alloc();
        }
        data_ = pinned_ + offset;
    }
    ~Bytes() {
        if (pinned_ != nullptr) env_->ReleasePrimitiveArrayCritical(array_, pinned_, 0);
    }
    Bytes(const Bytes&) = delete;
    Bytes& operator=(const Bytes&) = delete;

    uint8_t* data() const { return data_; }

private:
    JNIEnv* env_;
    jbyteArray array_;
    uint8_t* pinned_ = nullptr;
    uint8_t* data_ = nullptr;
};

}  // namespace

extern "C" {

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
    JNIEnv* env;
    if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) return JNI_ERR;
    classes.illegal_argument = global_class(env, "java/lang/IllegalArgumentException");
    classes.illegal_state = global_class(env, "java/lang/IllegalStateException");
    classes.out_of_memory = global_class(env, "java/lang/OutOfMemoryError");
    classes.message = global_class(env, "io/gradquant/codec/MessageException");
    if (classes.illegal_argument == nullptr || classes.illegal_state == nullptr || classes.out_of_memory == nullptr ||
        classes.message == nullptr) {
        return JNI_ERR;
    }
    classes.message_init = env->GetMethodID(classes.message, "<init>", "(Ljava/lang/String;Ljava/lang/String;)V");
    return classes.message_init == nullptr ? JNI_ERR : JNI_VERSION_1_8;
}

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

JNIEXPORT jlong JNICALL Java_io_gradquant_backend_NativeCpu_createPool(JNIEnv* env, jclass, jint threads) {
    GQ_API_BEGIN
    if (threads < 1) throw std::invalid_argument("a pool needs at least one thread");
    return reinterpret_cast<jlong>(new gq::Pool(threads));
    GQ_API_END(0)
}

JNIEXPORT void JNICALL Java_io_gradquant_backend_NativeCpu_destroyPool(JNIEnv*, jclass, jlong pool) {
    delete reinterpret_cast<gq::Pool*>(pool);
}

JNIEXPORT void JNICALL Java_io_gradquant_backend_NativeCpu_copy(JNIEnv* env, jclass, jlong pool, jlong src, jlong dst,
                                                                 jlong n) {
    GQ_API_BEGIN
    gq::copy_cpu(reinterpret_cast<const float*>((intptr_t)src), reinterpret_cast<float*>((intptr_t)dst), (int64_t)n,
                 pool_of(pool));
    GQ_API_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_backend_NativeCpu_zero(JNIEnv* env, jclass, jlong pool, jlong dst, jlong n) {
    GQ_API_BEGIN
    gq::zero_cpu(reinterpret_cast<float*>((intptr_t)dst), (int64_t)n, pool_of(pool));
    GQ_API_END()
}

JNIEXPORT void JNICALL Java_io_gradquant_backend_NativeCpu_quantize(JNIEnv* env, jclass, jlong pool, jbyteArray spec,
                                                                     jlong step, jlongArray addresses, jlongArray lengths,
                                                                     jdoubleArray stats) {
    GQ_API_BEGIN
    gq::SpecBlock block = read_spec(env, spec);
    std::vector<gq::Segment> segments = read_segments(env, addresses, lengths);
    gq::Stats result = gq::quantize_cpu(block, (uint64_t)step, segments.data(), (int)segments.size(), pool_of(pool));
    write_stats(env, stats, result);
    GQ_API_END()
}

JNIEXPORT jlong JNICALL Java_io_gradquant_backend_NativeCpu_encode(JNIEnv* env, jclass, jlong pool, jbyteArray spec,
                                                                    jlong step, jlongArray addresses, jlongArray lengths,
                                                                    jbyteArray out_array, jlong out, jlong capacity,
                                                                    jboolean write_back, jdoubleArray stats) {
    GQ_API_BEGIN
    gq::SpecBlock block = read_spec(env, spec);
    std::vector<gq::Segment> segments = read_segments(env, addresses, lengths);
    if (stats == nullptr || env->GetArrayLength(stats) < 4) throw std::invalid_argument("stats array shorter than 4");
    gq::Stats result;
    uint64_t bytes;
    {
        Bytes output(env, out_array, out, capacity);  // no JNI calls while a heap array is pinned
        bytes = gq::encode_cpu(block, (uint64_t)step, segments.data(), (int)segments.size(), output.data(),
                               (uint64_t)capacity, write_back == JNI_TRUE, pool_of(pool), &result);
    }
    write_stats(env, stats, result);
    return (jlong)bytes;
    GQ_API_END(0)
}

JNIEXPORT void JNICALL Java_io_gradquant_backend_NativeCpu_decode(JNIEnv* env, jclass, jlong pool, jbyteArray message_array,
                                                                   jlong message, jlong length, jlongArray addresses,
                                                                   jlongArray lengths, jboolean add, jfloat weight) {
    GQ_API_BEGIN
    std::vector<gq::Segment> segments = read_segments(env, addresses, lengths);
    Bytes input(env, message_array, message, length);  // no JNI calls while a heap array is pinned
    gq::decode_cpu(input.data(), (uint64_t)length, segments.data(), (int)segments.size(), add == JNI_TRUE, weight,
                   pool_of(pool));
    GQ_API_END()
}

}  // extern "C"
