package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gradquant.BucketLayout;
import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** quantize, train, compare and bench take the quantizer options from one group, with the library's defaults. */
class QuantizerOptionsTest {
    private static final List<String> COMMANDS = List.of("quantize", "train", "compare", "bench");
    private static final List<String> OPTIONS = List.of("--bucket-size", "--levels", "--smart-fraction", "--norm",
            "--layout", "--backend", "--threads");

    @Test
    void everyCommandThatQuantizesMixesInTheOneGroup() {
        CommandLine main = Main.newCommandLine();
        CommandSpec reference = main.getSubcommands().get("quantize").getCommandSpec();
        for (String command : COMMANDS) {
            CommandSpec spec = main.getSubcommands().get(command).getCommandSpec();
            long groups = spec.mixins().values().stream().filter(m -> m.userObject() instanceof QuantizerOptions)
                    .count();
            assertEquals(1, groups, command + " mixes in QuantizerOptions once");
            for (String name : OPTIONS) {
                OptionSpec option = spec.findOption(name);
                assertNotNull(option, command + " " + name);
                OptionSpec same = reference.findOption(name);
                assertEquals(List.of(same.description()), List.of(option.description()), command + " " + name);
                assertEquals(same.defaultValue(), option.defaultValue(), command + " " + name);
            }
        }
    }

    @Test
    void theDefaultsAreTheLibrarysAndEveryOptionReachesTheSpec() {
        QuantizerOptions defaults = parse();
        for (QuantizerType type : QuantizerType.values()) {
            assertEquals(QuantizerSpec.builder(type).seed(5).build().toString(), defaults.spec(type, 5).toString());
        }
        QuantizerOptions set = parse("--bucket-size", "100", "--levels", "8", "--smart-fraction", "0.5", "--norm",
                "MAX", "--layout", "per-segment", "--backend", "java", "--threads", "3");
        QuantizerSpec spec = set.spec(QuantizerType.EXPONENTIAL, 9);
        assertEquals(100, spec.bucketSize());
        assertEquals(8, spec.levels());
        assertEquals(0.5, spec.smartFraction());
        assertSame(ExponentialNorm.MAX, spec.exponentialNorm());
        assertSame(BucketLayout.PER_SEGMENT, spec.layout());
        assertEquals(9, spec.seed());
        assertEquals("java", set.backend);
        assertEquals(3, set.threads);
    }

    private static QuantizerOptions parse(String... args) {
        QuantizerOptions options = new QuantizerOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
