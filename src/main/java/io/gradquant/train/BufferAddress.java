package io.gradquant.train;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.Buffer;

/**
 * The native address of a direct buffer's memory. JDK 17 has no public API for it, so this reads
 * the {@code Buffer.address} field through {@code sun.misc.Unsafe} (module jdk.unsupported, open to
 * all code), looked up reflectively so that compiling does not warn about proprietary API.
 */
final class BufferAddress {
    private static final MethodHandle GET_LONG;
    private static final long ADDRESS_OFFSET;

    static {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            ADDRESS_OFFSET = (long) unsafeClass.getMethod("objectFieldOffset", Field.class)
                    .invoke(unsafe, Buffer.class.getDeclaredField("address"));
            GET_LONG = MethodHandles.lookup()
                    .findVirtual(unsafeClass, "getLong", MethodType.methodType(long.class, Object.class, long.class))
                    .bindTo(unsafe);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private BufferAddress() {
    }

    /**
     * Address of the buffer's element 0 (not its position).
     *
     * @throws IllegalArgumentException for a heap buffer
     */
    static long of(Buffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("a heap buffer has no native address");
        }
        try {
            return (long) GET_LONG.invokeExact((Object) buffer, ADDRESS_OFFSET);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read a direct buffer's address", e);
        }
    }
}
