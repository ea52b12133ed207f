package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.registry.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON patch within its bounds: operations counted, copies measured before they are made, nesting bounded. */
class JsonPatchTest {
    private static final long LIMIT = 3L * 1024 * 1024;

    @Test
    void copiesThatWouldDoubleTheObjectFortyTimesAreRefusedAsTheyPassTheLimitNotAfter() {
        List<Object> operations = new ArrayList<>();
        operations.add(Map.of("op", "add", "path", "/a", "value", Map.of("x", "y".repeat(1024))));
        for (int i = 0; i < 40; i++) {
            operations.add(Map.of("op", "copy", "from", "/a", "path", "/a/c" + i));
        }
        long start = System.nanoTime();

        assertThatThrownBy(() -> JsonPatch.apply(Map.of(), Json.read(Json.write(operations), "the patch"), LIMIT))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(413))
                .hasMessageContaining("copies more than the 3145728 bytes");
        assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
    }

    @Test
    void moreThanTenThousandOperationsAreRefusedWith413BeforeAnyIsApplied() {
        List<Object> operations = new ArrayList<>();
        for (int i = 0; i <= JsonPatch.MAX_OPERATIONS; i++) {
            operations.add(Map.of("op", "add", "path", "/l" + i, "value", "v"));
        }
        assertThatThrownBy(() -> JsonPatch.checkOperations(operations))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(413))
                .hasMessage("The allowed maximum operations in a JSON patch is 10000, got 10001");
    }

    @Test
    void movesThatWrapAValueDeeperAndDeeperStopAtTheNestingLimit() {
        List<Object> operations = new ArrayList<>();
        operations.add(Map.of("op", "add", "path", "/n", "value", Map.of()));
        for (int i = 0; i < 200; i++) {
            operations.add(Map.of("op", "add", "path", "/w", "value", Map.of()));
            operations.add(Map.of("op", "move", "from", "/n", "path", "/w/n"));
            operations.add(Map.of("op", "move", "from", "/w", "path", "/n"));
        }
        assertThatThrownBy(() -> JsonPatch.apply(Map.of(), operations, LIMIT))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(400))
                .hasMessageContaining("deeper than 100 levels");
    }

    @Test
    void ordinaryCopiesAndMovesStillWork() {
        Object patched = JsonPatch.apply(
                Map.of("a", Map.of("b", 1)),
                List.of(
                        Map.of("op", "copy", "from", "/a", "path", "/c"),
                        Map.of("op", "move", "from", "/a/b", "path", "/d")),
                LIMIT);
        assertThat(patched).isEqualTo(Map.of("a", Map.of(), "c", Map.of("b", 1), "d", 1));
    }

    @Test
    void aValueCannotBeMovedIntoItself() {
        assertThatThrownBy(() -> JsonPatch.apply(
                        Map.of("a", Map.of("b", 1)),
                        List.of(Map.of("op", "move", "from", "/a", "path", "/a/b/c")),
                        LIMIT))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }
}
