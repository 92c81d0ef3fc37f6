package io.gradquant.codec;

import io.gradquant.QuantStats;

/**
 * What an encode call produced: the message's length in bytes (written at the output buffer's
 * position, which advances by as much) and the call's statistics, the same as in-place quantize's.
 *
 * @param bytes the message length, checksum included
 * @param stats the statistics of the quantization the message holds
 */
public record Encoded(long bytes, QuantStats stats) {
}
