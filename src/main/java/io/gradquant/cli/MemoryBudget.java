package io.gradquant.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What this JVM can still allocate, so that an input too large for it is refused before anything
 * is allocated, with a message naming the option, instead of an OutOfMemoryError part-way through.
 * Direct memory (the buffers the backends quantize in place) is capped by
 * {@code -XX:MaxDirectMemorySize}, which defaults to the heap's maximum, {@code -Xmx}.
 */
final class MemoryBudget {
    private MemoryBudget() {
    }

    /**
     * Checks that {@code directBytes} of direct memory and {@code heapBytes} of heap are still free.
     *
     * @param what what needs them, starting with the option, e.g. "--synthetic normal:100000000 (the input
     *             and its working copy)"
     * @return null if they fit, else the message
     */
    static String shortfall(String what, long directBytes, long heapBytes) {
        if (directBytes > freeDirect() || heapBytes > freeHeap()) {
            System.gc(); // garbage, and direct buffers only garbage still holds, count as used until collected
        }
        long direct = freeDirect();
        if (directBytes > direct) {
            return what + " needs " + gib(directBytes) + " of direct memory, more than the " + gib(direct)
                    + " this JVM has left (-XX:MaxDirectMemorySize, which defaults to -Xmx): use a smaller input,"
                    + " or give Java more, e.g. JAVA_OPTS='-Xmx8g -XX:MaxDirectMemorySize=8g' ./gradquant ...";
        }
        long heap = freeHeap();
        if (heapBytes > heap) {
            return what + " needs " + gib(heapBytes) + " of heap, more than the " + gib(heap) + " this JVM has"
                    + " left (-Xmx): use a smaller input, or give Java more, e.g. JAVA_OPTS='-Xmx8g' ./gradquant ...";
        }
        return null;
    }

    /** Direct memory not yet used, of what {@code -XX:MaxDirectMemorySize} allows. */
    static long freeDirect() {
        long used = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used = pool.getMemoryUsed();
            }
        }
        return Math.max(0, maxDirect() - used);
    }

    /** Heap not in use now, of what {@code -Xmx} allows (garbage counts as used until collected). */
    static long freeHeap() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    private static long maxDirect() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long set = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
            if (set > 0) {
                return set;
            }
        } catch (RuntimeException e) {
            // not HotSpot, or the option is unknown: the JDK's default below
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
