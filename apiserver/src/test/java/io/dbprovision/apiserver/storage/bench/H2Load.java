package io.dbprovision.apiserver.storage.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nghttp2's {@code h2load} (Debian package nghttp2-client) as the creates' load driver: a C program on one native
 * thread, so that the two cores the server shares with its load driver go mostly to the server, where the JDK
 * HttpClient (its selector, TLS and HTTP/2 framing in Java, a virtual thread per writer) takes a large share of them.
 * It sends the same body in every request, so the bodies carry {@code metadata.generateName} and each POST creates a
 * new object. It authenticates with a bearer token only (it cannot present a client certificate).
 *
 * <p>Its per-request log ({@code --log-file}: start, status, microseconds) gives the latencies and the status of every
 * request; its summary gives the wall time. Its CPU is read from the shell that runs it ({@code times}: the
 * children's user and system time), since the process is gone when it could be asked.
 */
final class H2Load {
    private static final Pattern FINISHED = Pattern.compile("finished in ([0-9.]+)(ms|s), ([0-9.]+) req/s");
    /** The summary's traffic line: {@code traffic: 35.66MB (37389874) total, 1.27KB (1300) headers (…), 35.66MB (37388800) data}. */
    private static final Pattern DATA = Pattern.compile("\\(([0-9]+)\\) data");

    private static final Pattern CHILD_TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s\\s*$");

    private final Path executable;

    private H2Load(Path executable) {
        this.executable = executable;
    }

    /** h2load at {@code bench.h2load} (default {@code /usr/bin/h2load}), if it is there and runs. */
    static Optional<H2Load> find() {
        Path path = Path.of(System.getProperty("bench.h2load", "/usr/bin/h2load"));
        return Files.isExecutable(path) ? Optional.of(new H2Load(path)) : Optional.empty();
    }

    /** {@code h2load --version}'s first line. */
    String version() {
        try {
            Process process = new ProcessBuilder(executable.toString(), "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return out.lines().findFirst().orElse("h2load").trim();
        } catch (IOException e) {
            return "h2load (version unknown: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "h2load";
        }
    }

    /**
     * One run: {@code requests} POSTs of {@code body} to {@code uris} (each client takes them in turn), from {@code
     * connections} connections with {@code streams} concurrent streams each over HTTP/2; over HTTP/1.1 ({@code h1})
     * h2load sends one POST at a time per connection (it does not pipeline bodies), so {@code connections} ×
     * {@code streams} connections are opened instead, as many concurrent writers as over HTTP/2.
     *
     * @param headers request headers, {@code name: value}; they are on h2load's command line, visible to this
     *     machine's users for the run's duration (the benchmark server's throwaway token on the loopback only)
     * @param work a directory for the body, the log and the output (overwritten by the next run)
     */
    Result run(
            boolean h1,
            List<String> uris,
            List<String> headers,
            byte[] body,
            int connections,
            int streams,
            int requests,
            int threads,
            Duration cap,
            Path work)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path bodyFile = work.resolve("h2load-body.json");
        Files.write(bodyFile, body);
        List<String> options = new ArrayList<>(List.of(
                "-n",
                Integer.toString(requests),
                "-c",
                Integer.toString(h1 ? connections * streams : connections),
                "-m",
                Integer.toString(h1 ? 1 : streams),
                "-t",
                Integer.toString(Math.max(1, threads)),
                "-d",
                bodyFile.toString()));
        return execute(h1, options, uris, headers, 201, cap, work);
    }

    /**
     * {@code requests} GETs of {@code uri}, one after another on one connection (HTTP/2, or HTTP/1.1 with {@code h1}),
     * each response read to its end and discarded: a lean client for large responses (a LIST), whose TLS (OpenSSL)
     * and framing (nghttp2) cost a fraction of the JDK HttpClient's on the cores the server shares with it. Its
     * flow-control windows are h2load's defaults (2^30 - 1 per stream and per connection: never the limit).
     */
    Result get(boolean h1, String uri, List<String> headers, int requests, Duration cap, Path work)
            throws IOException, InterruptedException {
        List<String> options = List.of("-n", Integer.toString(requests), "-c", "1", "-m", "1", "-t", "1");
        return execute(h1, options, List.of(uri), headers, 200, cap, work);
    }

    private Result execute(
            boolean h1,
            List<String> options,
            List<String> uris,
            List<String> headers,
            int expectedStatus,
            Duration cap,
            Path work)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path log = work.resolve("h2load-requests.log");
        Files.deleteIfExists(log);
        List<String> command = new ArrayList<>(List.of(
                "sh",
                "-c",
                // the children's CPU (h2load's) is what `times` prints on its second line
                "\"$0\" \"$@\"; status=$?; times; exit $status",
                executable.toString()));
        command.addAll(options);
        command.add("--log-file");
        command.add(log.toString());
        if (h1) {
            command.add("--h1");
        }
        for (String header : headers) {
            command.add("-H");
            command.add(header);
        }
        command.addAll(uris);
        Path output = work.resolve("h2load-output.txt");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(cap.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("h2load did not finish within " + cap);
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        return Result.parse(
                text, Files.exists(log) ? Files.readAllLines(log) : List.of(), process.exitValue(), expectedStatus);
    }

    /**
     * What a run did: requests answered with the expected status ({@code 201} for creates, {@code 200} for GETs;
     * {@code created} counts them) and the others by status ({@code -1}: the stream or the
     * connection failed), every request's latency, the wall time h2load measured, h2load's own CPU, and the response
     * bodies' bytes from its summary (-1 if it has none).
     */
    record Result(
            long created,
            Map<Integer, Long> otherStatuses,
            Samples latency,
            double seconds,
            double reportedRate,
            long driverCpuNanos,
            long dataBytes,
            String output) {

        static Result parse(String output, List<String> log, int exitValue, int expectedStatus) {
            Matcher finished = FINISHED.matcher(output);
            if (!finished.find()) {
                throw new IllegalStateException("h2load exited with " + exitValue + " and no summary:\n" + output);
            }
            double seconds =
                    Double.parseDouble(finished.group(1)) / (finished.group(2).equals("ms") ? 1000 : 1);
            double rate = Double.parseDouble(finished.group(3));
            long created = 0;
            Map<Integer, Long> others = new TreeMap<>();
            Samples latency = new Samples(log.size());
            for (String line : log) {
                String[] columns = line.split("\t");
                if (columns.length < 3) {
                    continue;
                }
                int status = Integer.parseInt(columns[1].trim());
                if (status == expectedStatus) {
                    created++;
                    latency.add(Long.parseLong(columns[2].trim()) * 1_000);
                } else {
                    others.merge(status, 1L, Long::sum);
                }
            }
            Matcher data = DATA.matcher(output);
            long dataBytes = data.find() ? Long.parseLong(data.group(1)) : -1;
            return new Result(created, others, latency, seconds, rate, childCpuNanos(output), dataBytes, output);
        }

        /** The last line of the shell's {@code times}: the children's user and system time, e.g. {@code 0m1.23s 0m0.40s}. */
        private static long childCpuNanos(String output) {
            List<String> lines =
                    output.lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
            if (lines.isEmpty()) {
                return 0;
            }
            Matcher times = CHILD_TIMES.matcher(lines.getLast());
            if (!times.find()) {
                return 0;
            }
            double seconds = Integer.parseInt(times.group(1)) * 60
                    + Double.parseDouble(times.group(2))
                    + Integer.parseInt(times.group(3)) * 60
                    + Double.parseDouble(times.group(4));
            return (long) (seconds * 1e9);
        }

        long failed() {
            return otherStatuses.values().stream().mapToLong(Long::longValue).sum();
        }

        /** {@code 429 × 43, -1 × 2}: the statuses other than the expected one, for the notes. */
        String otherStatusText() {
            List<String> parts = new ArrayList<>();
            otherStatuses.forEach(
                    (status, count) -> parts.add((status < 0 ? "failed stream" : "status " + status) + " × " + count));
            return String.join(", ", parts);
        }
    }
}
