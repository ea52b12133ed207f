package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.config.ConfigException;
import io.dbprovision.client.config.ConnectionConfig;
import io.dbprovision.client.config.KubeconfigReader;
import io.dbprovision.client.errors.DbProvisionException;
import io.dbprovision.client.errors.FieldViolation;
import io.dbprovision.client.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code dbprovision-cli}: request databases and read their connection details over the portal gRPC API, with the
 * same authorization as kubectl. Global options (connection, timeout, output) may come before or after the
 * subcommand.
 */
@Command(
        name = "dbprovision-cli",
        mixinStandardHelpOptions = true,
        version = "dbprovision-cli 0.1.0",
        description = "Request databases and their credentials from DB Provision's portal API.",
        subcommands = {
            RequestCommand.class,
            ListCommand.class,
            DescribeCommand.class,
            WatchCommand.class,
            DeleteCommand.class,
            ConnectionCommand.class
        })
public final class CliMain implements Runnable {
    private static final int MAX_CA_FILE_BYTES = 256 * 1024;

    @Option(
            names = "--config",
            scope = ScopeType.INHERIT,
            description = "The portal kubeconfig (default: $DBPROVISION_CONFIG, else ~/.dbprovision/config; the"
                    + " standalone server writes <data-dir>/portal-kubeconfig).")
    Path config;

    @Option(
            names = "--context",
            scope = ScopeType.INHERIT,
            description = "The context of the config to use (default: its current-context).")
    String context;

    @Option(
            names = "--endpoint",
            scope = ScopeType.INHERIT,
            description = "https://host:port of the portal API, instead of the config's server.")
    String endpoint;

    @Option(
            names = "--ca-file",
            scope = ScopeType.INHERIT,
            description = "PEM file of the CA that signed the server's certificate.")
    Path caFile;

    @Option(
            names = "--token",
            scope = ScopeType.INHERIT,
            description = "Bearer token, replacing the config's credentials (visible to other local users in the"
                    + " process list: prefer the config file).")
    String token;

    @Option(
            names = "--timeout",
            scope = ScopeType.INHERIT,
            converter = Durations.class,
            description = "Deadline of each call, such as 30s or 5m (default: 30s; request and watch run until done).")
    Duration timeout;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    OutputFormat output;

    Terminal terminal;

    public static void main(String[] args) {
        System.exit(run(Terminal.system(), args));
    }

    /** Runs the CLI with {@code terminal}'s streams and environment; returns the exit code. */
    public static int run(Terminal terminal, String... args) {
        CliMain main = new CliMain();
        main.terminal = terminal;
        CommandLine commandLine = new CommandLine(main)
                .setOut(terminal.out())
                .setErr(terminal.err())
                .setExitCodeExceptionMapper(CliMain::exitCodeOf)
                .setExecutionExceptionHandler((failure, command, parsed) -> {
                    report(terminal, failure);
                    return exitCodeOf(failure);
                });
        commandLine
                .getCommandSpec()
                .usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(exitCodeHelp());
        int code = commandLine.execute(args);
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(terminal.out());
    }

    /** A client from the flags and the config file: explicit flags override the file. */
    DbProvisionClient client() {
        ConnectionConfig connection;
        if (endpoint != null && config == null) {
            connection = ConnectionConfig.of(ConnectionConfig.parseEndpoint(endpoint));
        } else {
            Path file = KubeconfigReader.locate(Optional.ofNullable(config), terminal.environment(), terminal.home());
            if (config == null && !Files.exists(file)) {
                throw new ConfigException("no configuration: " + file + " does not exist; give --config FILE"
                        + " (the standalone server writes <data-dir>/portal-kubeconfig) or --endpoint");
            }
            connection = KubeconfigReader.read(file, Optional.ofNullable(context));
            if (endpoint != null) {
                connection = connection.withEndpoint(ConnectionConfig.parseEndpoint(endpoint));
            }
        }
        if (caFile != null) {
            connection = connection.withCaPem(readCaFile(caFile));
        }
        if (token != null) {
            // The flag names who the caller is: the config's client certificate would otherwise authenticate first.
            connection = connection.withoutClientCertificate().withToken(token.strip());
        }
        DbProvisionClient.Builder builder = DbProvisionClient.builder().config(connection);
        if (timeout != null) {
            builder.timeout(timeout).streamTimeout(timeout);
        }
        return builder.build();
    }

    Output output() {
        return new Output(terminal, output);
    }

    private static String readCaFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_CA_FILE_BYTES + 1);
            if (bytes.length > MAX_CA_FILE_BYTES) {
                throw new ConfigException(file + " (--ca-file): larger than " + MAX_CA_FILE_BYTES + " bytes");
            }
            String pem = new String(bytes, StandardCharsets.UTF_8);
            if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
                throw new ConfigException(file + " (--ca-file): no PEM certificate in it");
            }
            return pem;
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + " (--ca-file): no such file");
        } catch (IOException e) {
            throw new ConfigException(
                    file + " (--ca-file): cannot read: " + e.getClass().getSimpleName());
        }
    }

    private static void report(Terminal terminal, Exception failure) {
        switch (failure) {
            case InvalidArgumentException invalid -> {
                terminal.err().println("error: " + Table.printable(invalid.getMessage()));
                for (FieldViolation violation : invalid.violations()) {
                    terminal.err()
                            .println("  " + Table.printable(violation.field()) + ": "
                                    + Table.printable(violation.description()));
                }
            }
            case DbProvisionException known -> terminal.err().println("error: " + Table.printable(known.getMessage()));
            case ObjectFailedException failed ->
                terminal.err().println("error: " + Table.printable(failed.getMessage()));
            case ConfigException config -> terminal.err().println("error: " + Table.printable(config.getMessage()));
            case IllegalArgumentException usage -> terminal.err().println("error: " + usage.getMessage());
            default -> terminal.err().println("error: " + failure);
        }
        terminal.err().flush();
    }

    private static int exitCodeOf(Throwable failure) {
        if (failure instanceof DbProvisionException known) {
            return ExitCodes.of(known);
        }
        if (failure instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        if (failure instanceof ObjectFailedException) {
            return ExitCodes.FAILED;
        }
        return ExitCodes.ERROR;
    }

    private static java.util.Map<String, String> exitCodeHelp() {
        java.util.Map<String, String> help = new java.util.LinkedHashMap<>();
        for (String entry : ExitCodes.HELP) {
            int colon = entry.indexOf(':');
            help.put("  " + entry.substring(0, colon), entry.substring(colon + 1));
        }
        return help;
    }
}
