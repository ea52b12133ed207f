package io.dbprovision.apiserver.storage.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class H2LoadTest {
    /** The end of h2load 1.52's output for three GETs of a list, followed by the shell's {@code times}. */
    private static final String OUTPUT = """
            finished in 152.31ms, 19.70 req/s, 56.06MB/s
            requests: 3 total, 3 started, 3 done, 3 succeeded, 0 failed, 0 errored, 0 timeout
            status codes: 3 2xx, 0 3xx, 0 4xx, 0 5xx
            traffic: 56.01MB (58728900) total, 1.34KB (1374) headers (space savings 38.06%), 56.00MB (58728732) data
            0m0.000s 0m0.000s
            0m0.061s 0m0.020s
            """;

    @Test
    void aListRunCountsTheExpectedStatusItsLatenciesTheBodyBytesAndTheDriversCpu() {
        List<String> log = List.of("1764900000000000\t200\t41000", "1764900000041000\t200\t30000", "x\t200");
        H2Load.Result result = H2Load.Result.parse(OUTPUT, log, 0, 200);
        assertEquals(2, result.created());
        assertEquals(0, result.failed());
        assertEquals(30_000_000, result.latency().percentile(50), 0.5);
        assertEquals(58_728_732, result.dataBytes());
        assertEquals(81_000_000, result.driverCpuNanos());
        assertEquals(0.15231, result.seconds(), 1e-9);
    }

    @Test
    void anyOtherStatusIsAFailureEvenASuccessfulOne() {
        List<String> log = List.of("1\t201\t100", "2\t429\t100", "3\t-1\t100");
        H2Load.Result result = H2Load.Result.parse(OUTPUT, log, 0, 200);
        assertEquals(0, result.created());
        assertEquals(Map.of(-1, 1L, 201, 1L, 429, 1L), result.otherStatuses());
        assertEquals(3, result.failed());
    }

    @Test
    void aRunWithoutASummaryIsAnError() {
        assertThrows(IllegalStateException.class, () -> H2Load.Result.parse("connect failed\n", List.of(), 1, 200));
    }
}
