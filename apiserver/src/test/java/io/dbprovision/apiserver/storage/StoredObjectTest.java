package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A stored version keeps one derived value, computed once, for the key it was first asked with. */
class StoredObjectTest {
    private static final Object JSON = new Object();
    private static final Object OTHER = new Object();

    private final StoredObject stored = new StoredObject(
            new ObjectKey("things", "ns", "a"), 7, new byte[] {1, 2, 3}, new Attributes(Map.of(), Map.of()));

    @Test
    void derivesOnceAndKeepsIt() {
        AtomicInteger computed = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(stored.<String>derived(JSON, s -> "v" + s.resourceVersion() + "#" + computed.incrementAndGet()))
                    .isEqualTo("v7#1");
        }
        assertThat(computed).hasValue(1);
    }

    @Test
    void anotherKeyIsComputedEachTimeAndDoesNotReplaceTheKeptValue() {
        assertThat(stored.<String>derived(JSON, s -> "json")).isEqualTo("json");
        AtomicInteger computed = new AtomicInteger();
        assertThat(stored.<String>derived(OTHER, s -> "other" + computed.incrementAndGet()))
                .isEqualTo("other1");
        assertThat(stored.<String>derived(OTHER, s -> "other" + computed.incrementAndGet()))
                .isEqualTo("other2");
        assertThat(stored.<String>derived(JSON, s -> "recomputed")).isEqualTo("json");
    }
}
