package io.dbprovision.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources}. Run the tests with {@code -Dgolden.update=true} to rewrite them,
 * then review the diff before committing.
 */
public final class Golden {
    private static final Path RESOURCES = Path.of("src/test/resources");

    private Golden() {}

    public static void assertMatches(String relativePath, String actual) {
        Path file = RESOURCES.resolve(relativePath);
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            assertThat(file)
                    .as("golden file %s (create it with -Dgolden.update=true)", file)
                    .exists();
            assertThat(actual)
                    .as("golden file %s (update with -Dgolden.update=true)", file)
                    .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(String relativePath) {
        try {
            return Files.readString(RESOURCES.resolve(relativePath), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
