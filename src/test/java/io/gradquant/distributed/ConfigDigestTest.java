package io.gradquant.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDigestTest {
    private static Map<String, String> fields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void sameFieldsPass() {
        assertNull(ConfigDigest.firstDifference(List.of(fields("model", "cnn"), fields("model", "cnn"))));
        ConfigDigest.requireSame(new LocalWorld(), fields("model", "cnn"));
    }

    @Test
    void namesTheFieldTheValuesAndTheRanks() {
        String d = ConfigDigest.firstDifference(List.of(fields("model", "cnn", "lr", "0.1"),
                fields("model", "cnn", "lr", "0.2"), fields("model", "cnn", "lr", "0.1")));
        assertEquals("field 'lr': ranks 0, 2 have '0.1'; rank 1 has '0.2'", d);
    }

    @Test
    void aMissingFieldIsADifference() {
        String d = ConfigDigest.firstDifference(List.of(fields("model", "cnn"), fields("model", "cnn", "extra", "1")));
        assertEquals("field 'extra': rank 0 has no such field; rank 1 has '1'", d);
    }
}
