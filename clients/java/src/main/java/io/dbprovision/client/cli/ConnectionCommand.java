package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code connection}: how to connect as a DatabaseUser; the password only with {@code --show-password}. */
@Command(
        name = "connection",
        mixinStandardHelpOptions = true,
        description = "Print how to connect as a DatabaseUser: host, port, database, user, TLS mode, Secret.")
final class ConnectionCommand implements Callable<Integer> {
    @ParentCommand
    CliMain main;

    @Parameters(index = "0", paramLabel = "USER", description = "Name of the DatabaseUser.")
    String user;

    @Mixin
    NamespaceOption namespace;

    @Option(
            names = "--show-password",
            description = "Include the password and a URL with it (needs get on the user's Secret or credentials).")
    boolean showPassword;

    @Override
    public Integer call() {
        try (DbProvisionClient client = main.client()) {
            Connection connection = client.connection(namespace.resolve(client), user, showPassword);
            print(main.output(), connection, main.terminal);
            return ExitCodes.OK;
        }
    }

    /** Key: value lines for people, or the Connection message as JSON / YAML. */
    static void print(Output output, Connection connection, Terminal terminal) {
        if (output.format() != OutputFormat.table) {
            output.any(connection);
            return;
        }
        PrintWriter out = terminal.out();
        line(out, "Host", connection.getHost());
        line(out, "Port", connection.getPort() == 0 ? "" : String.valueOf(connection.getPort()));
        line(out, "Database", connection.getDatabase());
        line(out, "User", connection.getUser());
        line(out, "TLS mode", connection.getTlsMode());
        line(out, "Engine", connection.getEngine());
        line(
                out,
                "Secret",
                connection.getSecretName().isEmpty()
                        ? ""
                        : connection.getSecretNamespace() + "/" + connection.getSecretName() + " (key "
                                + connection.getPasswordKey() + ")");
        if (!connection.getPassword().isEmpty()) {
            line(out, "Password", connection.getPassword());
        }
        line(out, "URL", connection.getUrl());
        out.flush();
    }

    private static void line(PrintWriter out, String key, String value) {
        if (!value.isEmpty()) {
            out.println(String.format("%-10s%s", key + ":", Table.printable(value)));
        }
    }
}
