package io.dbprovision.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.provisioner.server.ProvisionerServerTlsTest;
import io.dbprovision.provisioner.server.TestPki;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The provisioner's own command: its help documents every flag, and started as a process of its own it answers
 * reflection and health as grpcurl would ask (grpcurl itself is not packaged for Debian), then exits on SIGTERM. With {@code -Dprovisioner.jar=<path>} the process is {@code java -jar <path>}; otherwise Main on the test
 * class path.
 */
class MainTest {
    private static final Pattern LISTENING = Pattern.compile("provisioner listening on [^:]+:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void theHelpDocumentsEveryFlag() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("--help");

        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains(
                        "--port",
                        "--bind-address",
                        "--tls-cert-file",
                        "--tls-private-key-file",
                        "--client-ca-file",
                        "--client-cert-optional",
                        "--insecure",
                        "--max-message-bytes",
                        "--shutdown-grace-seconds",
                        "--pool-idle-seconds",
                        "--reload-interval-seconds");
    }

    @Test
    void withoutCertificateFilesOrInsecureItRefusesToStart() {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute("--port", "0");

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--tls-cert-file and --tls-private-key-file");
    }

    @Test
    void startedAsAProcessItServesReflectionAndHealthOverMutualTlsAndStopsOnSigterm() throws Exception {
        TestPki.Issued ca = TestPki.ca("dbpsrv main CA");
        TestPki.server(ca, "dbpsrv provisioner").write(dir, "server");
        Path clientCa = ca.write(dir, "ca");
        TestPki.Issued client = TestPki.client(ca, "dbpsrv client");

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        String jar = System.getProperty("provisioner.jar");
        if (jar != null && !jar.isEmpty()) {
            command.addAll(List.of("-jar", jar));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        }
        command.addAll(List.of(
                "--port=0",
                "--bind-address=127.0.0.1",
                "--tls-cert-file=" + dir.resolve("server.crt"),
                "--tls-private-key-file=" + dir.resolve("server.key"),
                "--client-ca-file=" + clientCa,
                "--shutdown-grace-seconds=2"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> readOutput(process, output, port));
        try {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                            "localhost",
                            port.get(60, TimeUnit.SECONDS),
                            TlsChannelCredentials.newBuilder()
                                    .trustManager(pem(ca.certificatePem()))
                                    .keyManager(pem(client.certificatePem()), pem(client.keyPem()))
                                    .build())
                    .build();
            try {
                assertThat(ProvisionerServerTlsTest.listServices(channel))
                        .contains("dbops.engine.v1alpha1.EngineService", "grpc.health.v1.Health");
                assertThat(HealthGrpc.newBlockingStub(channel)
                                .withDeadlineAfter(10, TimeUnit.SECONDS)
                                .check(HealthCheckRequest.getDefaultInstance())
                                .getStatus())
                        .isEqualTo(ServingStatus.SERVING);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            process.destroy(); // SIGTERM: the shutdown hook stops the server gracefully

            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

            // 143: ended by SIGTERM after the shutdown hook ran (the JVM's exit status for a handled SIGTERM).
            assertThat(process.exitValue()).isIn(0, 143);
        } finally {
            process.destroyForcibly();
        }
    }

    private static void readOutput(Process process, StringBuilder output, CompletableFuture<Integer> port) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                }
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.find()) {
                    port.complete(Integer.parseInt(matcher.group(1)));
                }
            }
            port.completeExceptionally(new IllegalStateException("the provisioner exited:\n" + output));
        } catch (IOException e) {
            port.completeExceptionally(e);
        }
    }

    private static ByteArrayInputStream pem(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
