package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.distributed.Collective;
import io.gradquant.harness.DataParallel;
import io.gradquant.harness.QuantizerFactory;
import io.gradquant.harness.Settings;
import io.gradquant.harness.TrainingData;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** The data-parallel steps of {@link HarnessSetup}: joining the job, loading the data in turn, comparing configurations. */
final class DataParallelSetup {
    /** DJL's setting of PyTorch's intra-op threads, read when the engine starts. */
    private static final String PYTORCH_THREADS = "ai.djl.pytorch.num_threads";

    private DataParallelSetup() {
    }

    /**
     * The device mode a data-parallel worker trains with: cpu (auto picks it) or gpu. On the GPU the
     * gradients stay on the device and only messages cross to the host, which collectives allgather
     * and allreduce do without error feedback; reduce-scatter and error feedback need element-wise
     * work on the device that is not built yet (--collective auto picks what works).
     *
     * @throws IllegalArgumentException naming the option, for gpu with reduce-scatter or error feedback
     */
    static String device(String mode, ExchangeOptions exchange) {
        String m = mode.trim().toLowerCase(Locale.ROOT);
        if (m.equals("gpu")) {
            if (exchange.collective == Collective.REDUCE_SCATTER) {
                throw new IllegalArgumentException("--collective reduce-scatter is not available with --device gpu yet:"
                        + " use --collective allgather, allreduce or auto, or --device cpu");
            }
            if (exchange.errorFeedback) {
                throw new IllegalArgumentException("--error-feedback is not available with --device gpu yet: leave it"
                        + " out, or use --device cpu");
            }
        }
        return m.equals("auto") ? "cpu" : m;
    }

    /**
     * The threads of the cpu backend and of PyTorch for one rank: {@code threads} if given, else the
     * machine's hardware threads shared out between the ranks on this machine (Open MPI says how
     * many there are), so that N ranks do not start N times as many threads as there are cores.
     * Sets DJL's PyTorch thread count likewise, unless the user set it.
     */
    static int threadsPerRank(int threads) {
        String local = System.getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
        int ranksHere;
        try {
            ranksHere = local == null ? 1 : Math.max(1, Integer.parseInt(local.trim()));
        } catch (NumberFormatException e) {
            ranksHere = 1; // not Open MPI's number: share nothing out
        }
        int share = Math.max(1, Runtime.getRuntime().availableProcessors() / ranksHere);
        if (System.getProperty(PYTORCH_THREADS) == null && System.getenv(PYTORCH_THREADS) == null) {
            System.setProperty(PYTORCH_THREADS, Integer.toString(share));
        }
        return threads != 0 ? threads : share;
    }

    /** Joins the MPI world (initialising MPI) as one worker, exchanging gradients as {@code exchange} says. */
    static DataParallel join(CommandSpec spec, WorkerOptions workers, ExchangeOptions exchange) {
        return new DataParallel(workers.join(spec), exchange.collective, exchange.errorFeedback,
                exchange.minQuantizedSize);
    }

    /**
     * Every rank finds and loads its data, one rank after the other (a barrier after each), so
     * that ranks on one machine never run two package installs at once; only rank 0 logs.
     */
    static TrainingData loadInTurn(DataParallel parallel, HarnessOptions options, PrintWriter log) throws IOException {
        TrainingData data = null;
        for (int r = 0; r < parallel.size(); r++) {
            if (r == parallel.rank()) {
                data = options.loadData(log);
            }
            parallel.workers().barrier();
        }
        return data;
    }

    /**
     * What the ranks must agree on before they train, by field: everything that shapes the
     * model, the data, the quantizers, the exchange and the recipe (the experiment adds the
     * parameter shapes).
     */
    static Map<String, String> configuration(DataParallel parallel, TrainingData data, QuantizerFactory factory,
            List<QuantizerType> quantizers, Settings settings) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("command", settings.command());
        fields.put("model", settings.model());
        fields.put("dataset", settings.dataset() + " (" + settings.trainExamples() + " training and "
                + settings.testExamples() + " test examples)");
        fields.put("dataset content", data.sha256());
        StringBuilder specs = new StringBuilder();
        for (QuantizerType q : quantizers) {
            specs.append(factory.spec(q)).append('\n');
        }
        fields.put("quantizer spec", specs.toString());
        StringBuilder collectives = new StringBuilder();
        for (QuantizerType q : quantizers) {
            collectives.append(q.cliName()).append(' ').append(parallel.collectiveFor(q).cliName()).append('\n');
        }
        fields.put("collective", collectives.toString());
        fields.put("error feedback", Boolean.toString(parallel.settings().errorFeedback()));
        fields.put("min quantized size", Integer.toString(parallel.minQuantizedSize()));
        fields.put("epochs", Integer.toString(settings.epochs()));
        fields.put("batch size", Integer.toString(settings.batchSize()));
        fields.put("learning rate", settings.learningRate() + " x0.1 at epochs " + settings.lrMilestones());
        fields.put("momentum", Double.toString(settings.momentum()));
        fields.put("weight decay", Double.toString(settings.weightDecay()));
        fields.put("max steps per epoch", Integer.toString(settings.maxStepsPerEpoch()));
        fields.put("seed", Long.toString(settings.seed()));
        fields.put("variance steps", Integer.toString(settings.varianceSteps()));
        return fields;
    }
}
