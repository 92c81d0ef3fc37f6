package io.gradquant.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PhiloxTest {
    /** Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors). */
    @Test
    void matchesPublishedKnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox.philox4x32_10(new int[] {0, 0, 0, 0}, new int[] {0, 0}));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.philox4x32_10(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.philox4x32_10(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                        new int[] {0xa4093822, 0x299f31d0}));
    }

    @Test
    void uniformIsUniformAndStreamsDiffer() {
        int n = 200_000;
        double sum = 0;
        double sumSq = 0;
        int[] histogram = new int[16];
        int sameAcrossPurpose = 0;
        for (int i = 0; i < n; i++) {
            double u = Philox.uniform(7, 3, Philox.PURPOSE_ROUND, i);
            assertTrue(u >= 0 && u < 1);
            sum += u;
            sumSq += u * u;
            histogram[(int) (u * 16)]++;
            if (Philox.bits(7, 3, Philox.PURPOSE_ROUND, i) == Philox.bits(7, 3, Philox.PURPOSE_SIGNS, i)) {
                sameAcrossPurpose++;
            }
        }
        // mean 1/2 with standard error sqrt(1/12/n) = 0.00065: 6 standard errors
        assertEquals(0.5, sum / n, 6 * Math.sqrt(1.0 / 12 / n));
        assertEquals(1.0 / 3, sumSq / n, 6 * Math.sqrt(4.0 / 45 / n));
        // each bin expects n/16 = 12500 with sd sqrt(n p (1-p)) = 108: 6 sd
        for (int c : histogram) {
            assertEquals(n / 16.0, c, 6 * Math.sqrt(n / 16.0 * 15 / 16));
        }
        assertTrue(sameAcrossPurpose < 5, "purposes must give independent streams");
        assertTrue(Philox.bits(7, 3, 0, 5) != Philox.bits(7, 4, 0, 5) || Philox.bits(7, 3, 0, 6) != Philox.bits(7, 4, 0, 6));
        assertTrue(Philox.bits(7, 3, 0, 5) != Philox.bits(8, 3, 0, 5) || Philox.bits(7, 3, 0, 6) != Philox.bits(8, 3, 0, 6));
    }
}
