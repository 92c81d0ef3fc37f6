package io.gradquant.cli;

import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backends;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option converters. Each rejects a bad value with a TypeConversionException whose message names
 * the value and the allowed ones; picocli turns it into a usage error (exit code 2).
 */
final class Converters {
    private Converters() {
    }

    /** {@code --quantizer}: none, standard, smart, hadamard or exponential. */
    static final class Quantizer implements ITypeConverter<QuantizerType> {
        @Override
        public QuantizerType convert(String value) {
            try {
                return QuantizerType.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --norm}: l2 or max. */
    static final class Norm implements ITypeConverter<ExponentialNorm> {
        @Override
        public ExponentialNorm convert(String value) {
            for (ExponentialNorm n : ExponentialNorm.values()) {
                if (n.name().equalsIgnoreCase(value.trim())) {
                    return n;
                }
            }
            throw new TypeConversionException("unknown norm '" + value + "': allowed are l2, max");
        }
    }

    /** {@code --backend}: auto, java, cpu or cuda (whether it is available is checked later). */
    static final class Backend implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String name = value.trim().toLowerCase(Locale.ROOT);
            if (!Backends.NAMES.contains(name)) {
                throw new TypeConversionException("unknown backend '" + value + "': allowed are "
                        + String.join(", ", Backends.NAMES));
            }
            return name;
        }
    }

    /** {@code --synthetic}: DIST:N. */
    static final class SyntheticInput implements ITypeConverter<Synthetic> {
        @Override
        public Synthetic convert(String value) {
            try {
                return Synthetic.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
