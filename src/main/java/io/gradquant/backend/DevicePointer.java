package io.gradquant.backend;

import jcuda.driver.CUdeviceptr;

/**
 * Device addresses as plain longs. JCuda keeps a {@link CUdeviceptr}'s address in a protected field,
 * so an allocation is made into this subclass to read it; and a raw address becomes a pointer with
 * {@code withByteOffset}, which is what JCuda's copies read (a buffer-backed Pointer would be NULL).
 */
final class DevicePointer extends CUdeviceptr {
    /** The device address this pointer holds (after cuMemAlloc has filled it in). */
    long address() {
        return getNativePointer() + getByteOffset();
    }

    /** A pointer to device address {@code address}, for copies. */
    static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }
}
