package io.gradquant.cli;

import io.gradquant.BucketLayout;
import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backends;
import io.gradquant.data.DatasetKind;
import io.gradquant.harness.ModelKind;
import java.util.ArrayList;
import java.util.List;
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

    /** The command-line name of an option's enum value: lower case, '-' for '_' (PER_SEGMENT is per-segment). */
    static String cliName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The value of {@code type} whose {@link #cliName} is {@code value}, or an error naming the allowed ones. */
    private static <E extends Enum<E>> E parse(Class<E> type, String what, String value) {
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            if (cliName(e).equals(value.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
            allowed.add(cliName(e));
        }
        throw new TypeConversionException("unknown " + what + " '" + value + "': allowed are "
                + String.join(", ", allowed));
    }

    /** {@code --norm}: l2 or max. */
    static final class Norm implements ITypeConverter<ExponentialNorm> {
        @Override
        public ExponentialNorm convert(String value) {
            return parse(ExponentialNorm.class, "norm", value);
        }
    }

    /** {@code --layout}: spanning or per-segment. */
    static final class Layout implements ITypeConverter<BucketLayout> {
        @Override
        public BucketLayout convert(String value) {
            return parse(BucketLayout.class, "layout", value);
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

    /** {@code --quantizers}: a comma-separated list of distinct quantizer names. */
    static final class QuantizerList implements ITypeConverter<List<QuantizerType>> {
        @Override
        public List<QuantizerType> convert(String value) {
            List<QuantizerType> types = new ArrayList<>();
            for (String name : value.split(",", -1)) {
                QuantizerType type;
                try {
                    type = QuantizerType.parse(name);
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException(e.getMessage());
                }
                if (types.contains(type)) {
                    throw new TypeConversionException("quantizer '" + type.cliName() + "' is listed twice");
                }
                types.add(type);
            }
            return List.copyOf(types);
        }
    }

    /** {@code --model}: resnet20, cnn or mlp. */
    static final class Model implements ITypeConverter<ModelKind> {
        @Override
        public ModelKind convert(String value) {
            try {
                return ModelKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --dataset}: fashion-mnist or cifar10. */
    static final class Dataset implements ITypeConverter<DatasetKind> {
        @Override
        public DatasetKind convert(String value) {
            try {
                return DatasetKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --lr-milestones}: comma-separated epochs, or "none" (or empty) for a constant learning rate. */
    static final class Milestones implements ITypeConverter<List<Integer>> {
        @Override
        public List<Integer> convert(String value) {
            String v = value.trim();
            if (v.isEmpty() || v.equalsIgnoreCase("none")) {
                return List.of();
            }
            List<Integer> epochs = new ArrayList<>();
            for (String part : v.split(",", -1)) {
                try {
                    epochs.add(Integer.parseInt(part.trim()));
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + value + "' is not a list of epochs: use for example"
                            + " 81,122,164, or none");
                }
            }
            return List.copyOf(epochs);
        }
    }
}
