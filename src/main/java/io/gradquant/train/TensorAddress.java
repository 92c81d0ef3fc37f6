package io.gradquant.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * The data pointer of a PyTorch tensor, on any device, as a plain address and byte count.
 *
 * <p>DJL exposes no public API for it. Its package-private {@code PyTorchLibrary.LIB
 * .torchDirectByteBuffer(handle)} wraps {@code tensor.data_ptr()} in a direct ByteBuffer without
 * checking the device (it does check contiguity); this class reaches it by reflection and turns the
 * buffer into an address at once. For a GPU tensor the buffer points into device memory: any Java
 * read or write through it would crash the JVM, so the buffer never leaves this class and only its
 * address and capacity (read from the Buffer object's fields, not from the memory) are used.
 */
final class TensorAddress {
    /** Resolved once; null with {@link #UNAVAILABLE} saying why when this DJL build lacks the method. */
    private static final Object LIB;
    private static final Method DIRECT_BUFFER;
    private static final String UNAVAILABLE;

    static {
        Object lib = null;
        Method method = null;
        String why = null;
        try {
            Class<?> library = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            Field field = library.getDeclaredField("LIB");
            field.setAccessible(true);
            lib = field.get(null);
            method = library.getDeclaredMethod("torchDirectByteBuffer", long.class);
            method.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            why = "DJL's PyTorchLibrary.torchDirectByteBuffer(long) is not reachable (" + e
                    + "): this needs the DJL 0.35 PyTorch engine on the class path";
            lib = null;
            method = null;
        }
        LIB = lib;
        DIRECT_BUFFER = method;
        UNAVAILABLE = why;
    }

    private TensorAddress() {
    }

    /** Null when tensor addresses can be read here, else the reason. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /**
     * Address and size of a contiguous tensor's memory.
     *
     * @param name names the tensor in error messages
     * @throws IllegalStateException naming the tensor, if it is not a PyTorch tensor, is not
     *         contiguous, is larger than 2 GiB (DJL's limit), or the DJL method is unavailable
     */
    static Memory of(String name, NDArray array) {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("cannot read the address of " + name + ": " + UNAVAILABLE);
        }
        if (!(array instanceof PtNDArray tensor)) {
            throw new IllegalStateException(name + " is a " + array.getClass().getName()
                    + ", not a PyTorch tensor: addresses can only be read from DJL's PyTorch engine");
        }
        ByteBuffer buffer;
        try {
            buffer = (ByteBuffer) DIRECT_BUFFER.invoke(LIB, tensor.getHandle());
        } catch (InvocationTargetException e) {
            // DJL's native code refuses non-contiguous, sparse, MKL-DNN and > 2 GiB tensors with an EngineException
            throw new IllegalStateException(name + " (shape " + array.getShape() + ", " + array.getDevice()
                    + ") has no usable data pointer: " + e.getCause().getMessage(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call DJL's torchDirectByteBuffer: " + e, e);
        }
        if (buffer == null) {
            throw new IllegalStateException(name + " has no data pointer");
        }
        long bytes = buffer.capacity();
        long expected = array.size() * array.getDataType().getNumOfBytes();
        if (bytes != expected) {
            throw new IllegalStateException(name + " spans " + bytes + " bytes, its shape " + array.getShape()
                    + " needs " + expected);
        }
        return new Memory(bytes == 0 ? 0 : BufferAddress.of(buffer), bytes);
    }

    /**
     * A tensor's memory.
     *
     * @param address address of element 0 (host or device memory, as the tensor's device says); 0 when empty
     * @param bytes   size in bytes
     */
    record Memory(long address, long bytes) {
    }
}
