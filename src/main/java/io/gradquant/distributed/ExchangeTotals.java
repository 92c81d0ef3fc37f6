package io.gradquant.distributed;

/**
 * Sums of {@link ExchangeStats} over steps, for an epoch's report.
 *
 * @param steps              exchanges summed
 * @param bytesSent          bytes sent by this rank over those steps
 * @param messageBytes       message bytes over those steps
 * @param float32Bytes       float32 bytes of the same gradients
 * @param encodeSeconds      seconds encoding
 * @param communicateSeconds seconds in MPI calls
 * @param decodeSeconds      seconds decoding
 */
public record ExchangeTotals(long steps, long bytesSent, long messageBytes, long float32Bytes, double encodeSeconds,
        double communicateSeconds, double decodeSeconds) {
    /** No steps yet. */
    public static final ExchangeTotals EMPTY = new ExchangeTotals(0, 0, 0, 0, 0, 0, 0);

    /** These totals plus one more step. */
    public ExchangeTotals plus(ExchangeStats s) {
        return new ExchangeTotals(steps + 1, bytesSent + s.bytesSent(), messageBytes + s.messageBytes(),
                float32Bytes + s.float32Bytes(), encodeSeconds + s.encodeSeconds(),
                communicateSeconds + s.communicateSeconds(), decodeSeconds + s.decodeSeconds());
    }

    /** Mean bytes sent per step; 0 without steps. */
    public double bytesSentPerStep() {
        return steps == 0 ? 0 : (double) bytesSent / steps;
    }

    /** float32 bytes over message bytes; 1 without steps. */
    public double compressionRatio() {
        return messageBytes == 0 ? 1.0 : (double) float32Bytes / messageBytes;
    }
}
