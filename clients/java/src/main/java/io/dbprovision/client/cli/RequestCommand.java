package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.errors.DeadlineExceededException;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.proto.portal.v1alpha1.AccessProfile;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code request}: gets an application a database (RequestDatabase) — the Database, a DatabaseUser and a grant with
 * the access profile — showing progress while they converge, then prints how to connect. {@code --dry-run} stores
 * nothing and prints the SQL that would run.
 */
@Command(
        name = "request",
        mixinStandardHelpOptions = true,
        description = "Request a database with a user: create, wait until Ready, print the connection.")
final class RequestCommand implements Callable<Integer> {
    @ParentCommand
    CliMain main;

    @Parameters(index = "0", paramLabel = "NAME", description = "Name of the Database object (a DNS label).")
    String name;

    @Option(
            names = {"-i", "--instance"},
            required = true,
            description = "The server: a DatabaseInstance in the namespace, or clusterdatabaseinstances/NAME.")
    String instance;

    @Mixin
    NamespaceOption namespace;

    @Option(
            names = "--profile",
            defaultValue = "read-write",
            converter = ProfileConverter.class,
            description = "What the application may do: owner, read-write or read-only (default: ${DEFAULT-VALUE}).")
    AccessProfile profile;

    @Option(names = "--user", description = "Name of the DatabaseUser (default: NAME-PROFILE).")
    String user;

    @Option(names = "--database-name", description = "The database's name on the server (default: NAME, - as _).")
    String databaseName;

    @Option(names = "--label", description = "A label for every object created: key=value (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--dry-run", description = "Store nothing: print the objects and the SQL that would run.")
    boolean dryRun;

    @Override
    public Integer call() {
        try (DbProvisionClient client = main.client()) {
            RequestDatabaseRequest.Builder request = RequestDatabaseRequest.newBuilder()
                    .setNamespace(namespace.resolve(client))
                    .setInstance(instance)
                    .setDatabase(name)
                    .setProfile(profile)
                    .putAllLabels(labels);
            if (user != null) {
                request.setUser(user);
            }
            if (databaseName != null) {
                request.setDatabaseName(databaseName);
            }
            Output output = main.output();
            if (dryRun) {
                RequestDatabaseProgress plan = client.plan(request.build());
                if (output.format() == OutputFormat.table) {
                    printPlan(plan);
                } else {
                    output.any(plan);
                }
                return ExitCodes.OK;
            }
            Progress progress = new Progress(main.terminal);
            Connection connection;
            try {
                connection = client.requestDatabase(request.build(), progress::show);
            } catch (DeadlineExceededException e) {
                progress.done();
                main.terminal
                        .err()
                        .println("The objects stay and go on converging; follow them with: dbprovision-cli" + " watch "
                                + name + " -n " + request.getNamespace() + " --until-ready");
                throw e;
            } finally {
                progress.done();
            }
            ConnectionCommand.print(output, connection, main.terminal);
            return ExitCodes.OK;
        }
    }

    private void printPlan(RequestDatabaseProgress plan) {
        var out = main.terminal.out();
        if (!plan.getMessage().isEmpty()) {
            out.println(Table.printable(plan.getMessage()));
        }
        out.println("Would create: Database " + plan.getDatabase().getMetadata().getName()
                + ", DatabaseUser " + plan.getUser().getMetadata().getName()
                + ", DatabaseGrant " + plan.getGrant().getMetadata().getName());
        if (plan.getPlanList().isEmpty()) {
            out.println("The server returned no SQL for this plan (see the message above).");
            out.flush();
            return;
        }
        out.println("SQL the provisioner would run:");
        for (PlannedStatement statement : plan.getPlanList()) {
            String where = statement.getDatabase().isEmpty() ? "" : " (in " + statement.getDatabase() + ")";
            out.println("  -- " + Table.printable(statement.getPurpose()) + Table.printable(where));
            out.println("  " + Table.printable(statement.getSql()) + ";");
        }
        out.flush();
    }

    /** {@code owner}, {@code read-write}, {@code read-only} (also the enum's names). */
    static final class ProfileConverter implements ITypeConverter<AccessProfile> {
        @Override
        public AccessProfile convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT).replace('_', '-')) {
                case "owner" -> AccessProfile.OWNER;
                case "read-write" -> AccessProfile.READ_WRITE;
                case "read-only" -> AccessProfile.READ_ONLY;
                default -> throw new TypeConversionException("expected owner, read-write or read-only");
            };
        }
    }
}
