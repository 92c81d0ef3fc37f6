package io.gradquant.distributed;

import io.gradquant.QuantStats;

/**
 * What one gradient exchange ({@link GradientExchange#average}) cost this rank.
 *
 * @param bytesSent          bytes this rank handed to MPI for other ranks, counted at the MPI calls
 *                           ({@link Collectives} says how)
 * @param messageBytes       bytes of the messages this rank encoded (for reduce-scatter its chunk
 *                           messages and its average's); values sent as float32 count 4 bytes each
 * @param float32Bytes       4 bytes per value those messages carry: their size as float32
 * @param encodeSeconds      compressing (error feedback included) and staging float32 values
 * @param communicateSeconds inside the MPI calls
 * @param decodeSeconds      decoding, summing and scaling received values into the gradient
 * @param quantStats         statistics of this rank's compression of its own gradient (summed over
 *                           its chunks), or null when nothing was compressed
 */
public record ExchangeStats(long bytesSent, long messageBytes, long float32Bytes, double encodeSeconds,
        double communicateSeconds, double decodeSeconds, QuantStats quantStats) {
    /** float32 bytes over message bytes: how much smaller the values travel than as float32; 1 for float32. */
    public double compressionRatio() {
        return messageBytes == 0 ? 1.0 : (double) float32Bytes / messageBytes;
    }
}
