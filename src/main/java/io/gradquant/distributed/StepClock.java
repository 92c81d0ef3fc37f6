package io.gradquant.distributed;

import io.gradquant.QuantStats;

/** What one exchange spent, filled in by the communicators as they go. */
final class StepClock {
    long encodeNanos;
    long communicateNanos;
    long decodeNanos;
    /** Bytes of the messages this rank encoded (float32 values sent as such: 4 bytes each). */
    long messageBytes;
    /** 4 bytes per value those messages carry. */
    long float32Bytes;
    /** Statistics of this rank's compression of its own gradient, summed; null until there is one. */
    QuantStats stats;

    /** One more message of {@code bytes} bytes carrying {@code values} values. */
    void message(long bytes, long values) {
        messageBytes += bytes;
        float32Bytes += values * Float.BYTES;
    }

    void addStats(QuantStats s) {
        stats = stats == null ? s : new QuantStats(stats.variance() + s.variance(),
                stats.normSquared() + s.normSquared(), stats.buckets() + s.buckets(),
                stats.nonFiniteBuckets() + s.nonFiniteBuckets());
    }
}
