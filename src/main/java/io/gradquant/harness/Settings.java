package io.gradquant.harness;

import java.util.List;

/**
 * Everything a train or compare invocation was asked to do, as written to the "config" object of
 * summary.json and compare.json so that a result file says how it was made.
 *
 * @param command       train or compare
 * @param model         model name
 * @param dataset       data set name
 * @param dataDir       the directory the data came from
 * @param device        the device trained on, as DJL names it
 * @param backend       the quantization backend used
 * @param threads       threads of the cpu backend
 * @param quantizers    the quantizers, in order
 * @param bucketSize    values per bucket
 * @param levels        quantization levels
 * @param smartFraction smart's sample fraction
 * @param norm          exponential's bucket norm, l2 or max
 * @param layout        the bucket layout, spanning or per-segment
 * @param epochs        epochs
 * @param batchSize     batch size
 * @param learningRate  initial learning rate
 * @param momentum      SGD momentum
 * @param weightDecay   weight decay
 * @param lrMilestones  epochs (from 0) where the learning rate is multiplied by 0.1
 * @param maxStepsPerEpoch step limit per epoch, 0 for none
 * @param seed          seed
 * @param varianceSteps steps of the variance probe (compare)
 * @param trainExamples training examples in the data set
 * @param testExamples  test examples in the data set
 */
public record Settings(String command, String model, String dataset, String dataDir, String device, String backend,
        int threads, List<String> quantizers, int bucketSize, int levels, double smartFraction, String norm,
        String layout, int epochs, int batchSize, double learningRate, double momentum, double weightDecay, List<Integer> lrMilestones,
        int maxStepsPerEpoch, long seed, int varianceSteps, int trainExamples, int testExamples) {
}
