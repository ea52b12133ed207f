package io.dbprovision.apiserver.e2e;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which kubectl binaries the suite drives: {@code -Dkubectl.versions} (comma separated, "1.27,1.30,1.33" in the
 * normal run, all seven in the Maven profile {@code kubectl-all}) found in {@code -Dkubectl.dir} (the Google Cloud
 * CLI's bin folder, which bundles {@code kubectl.1.27} … {@code kubectl.1.33}).
 */
final class KubectlVersions {
    static final String DEFAULT_VERSIONS = "1.27,1.30,1.33";
    static final String DEFAULT_DIRECTORY = "/usr/lib/google-cloud-sdk/bin";

    private KubectlVersions() {}

    static List<String> list() {
        String value = System.getProperty("kubectl.versions", "");
        return Arrays.stream((value.isBlank() ? DEFAULT_VERSIONS : value).split(","))
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .toList();
    }

    static Path directory() {
        String value = System.getProperty("kubectl.dir", "");
        return Path.of(value.isBlank() ? DEFAULT_DIRECTORY : value);
    }

    /** The argument source of {@link EachKubectl}. */
    static Stream<String> versions() {
        return list().stream();
    }
}
