package io.dbprovision.apiserver.storage.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairedRatiosTest {

    @Test
    void twentyFiveRoundsGiveTheEighthSmallestAndLargest() {
        List<Double> ratios = new ArrayList<>();
        for (int i = 25; i >= 1; i--) {
            ratios.add(i / 10.0);
        }
        PairedRatios paired = PairedRatios.of(ratios);
        assertEquals(1.3, paired.median(), 1e-9);
        assertEquals(0.8, paired.low(), 1e-9); // x(8)
        assertEquals(1.8, paired.high(), 1e-9); // x(18)
        assertEquals(0.957, paired.confidence(), 0.001);
    }

    @Test
    void fiveRoundsCannotGiveA95PercentInterval() {
        PairedRatios paired = PairedRatios.of(List.of(1.0, 1.0, 1.0, 1.0, 1.0));
        assertTrue(Double.isNaN(paired.low()));
        assertEquals("?", paired.verdict(true, 0.9));
    }

    @Test
    void theVerdictNeedsTheWholeIntervalOnOneSide() {
        assertEquals("✓", new PairedRatios(0.97, 0.93, 1.02, 0.95).verdict(true, 0.9));
        assertEquals("?", new PairedRatios(0.95, 0.88, 1.02, 0.95).verdict(true, 0.9));
        assertEquals("✗", new PairedRatios(0.80, 0.75, 0.86, 0.95).verdict(true, 0.9));
        assertEquals("✓", new PairedRatios(1.04, 0.98, 1.08, 0.95).verdict(false, 1.1));
        assertEquals("✗", new PairedRatios(1.30, 1.15, 1.40, 0.95).verdict(false, 1.1));
    }
}
