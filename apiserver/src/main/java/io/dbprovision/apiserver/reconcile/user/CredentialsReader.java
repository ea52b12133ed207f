package io.dbprovision.apiserver.reconcile.user;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.reconcile.DbopsControllers;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.SubresourceReader;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserCredentials;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.Comparator;
import java.util.Optional;

/**
 * {@code GET databaseusers/{name}/credentials}: what an application needs to connect — host, port, database, user,
 * TLS mode, password and a ready URL — read at request time from the user's credentials Secret and its instance.
 * The REST layer has authorized the caller for this subresource (not for Secrets: reading credentials is its own
 * permission); the answer is never cached and never logged. The database is the one the user's first grant (by
 * name) names, else the instance's connection database.
 *
 * <p>A user whose credential is not issued yet (not Ready, no Secret) answers 409 Conflict, saying why, rather than a
 * half-filled answer.
 */
public final class CredentialsReader implements SubresourceReader {
    private static final ApiException.Subject USERS =
            new ApiException.Subject("dbops.dbprovision.io", "databaseusers", "");

    private final ResourceStore users;
    private final Instances instances;
    private final CredentialsSecret credentials;
    private final DbopsControllers.Informers informers;
    private final RequestContext internal;

    public CredentialsReader(DbopsControllers controllers) {
        var parts = controllers.parts();
        this.users = controllers.informers().users().store();
        this.instances = parts.instances();
        this.credentials = new CredentialsSecret(parts.secrets(), new TemplateCredentialsRenderer());
        this.informers = controllers.informers();
        this.internal = parts.context();
    }

    @Override
    public Message read(RequestContext context, String namespace, String name) {
        DatabaseUser user = (DatabaseUser) users.get(internal, namespace, name); // NotFound names the user
        Subject subject = new Subject(name);
        CredentialsSecret.Stored stored;
        Instances.Resolved instance;
        try {
            stored = credentials.read(user);
        } catch (ReconcileFailure notOurs) {
            throw subject.conflict(notOurs.getMessage());
        }
        try {
            instance = instances.ready(user);
        } catch (Waiting | ReconcileFailure notYet) {
            throw subject.conflict("its instance is not usable: " + notYet.getMessage());
        }
        if (stored.secret().isEmpty() || stored.password().isEmpty()) {
            throw subject.conflict("no credential is issued yet (" + CredentialsSecret.describe(user) + " is missing)");
        }
        String username = stored.username().isEmpty() ? user.getSpec().getUsername() : stored.username();
        CredentialValues values = CredentialsSecret.values(user, instance, username, stored.password());
        String database = databaseOf(user).orElse(values.database());
        String url = CredentialsSecret.databaseUrl(
                instance.engine(),
                username,
                stored.password(),
                values.host(),
                values.port(),
                database,
                values.sslMode());
        return DatabaseUserCredentials.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace(namespace).setName(name))
                .setHost(values.host())
                .setPort(values.port())
                .setDatabase(database)
                .setUsername(username)
                .setSslMode(values.sslMode().isEmpty() ? "disable" : values.sslMode())
                .setPassword(stored.password())
                .setUrl(url)
                .setSecretName(CredentialsSecret.name(user))
                .build();
    }

    /** The name of the Secret that holds {@code user}'s credentials (the portal authorizes reading it). */
    public static String secretName(DatabaseUser user) {
        return CredentialsSecret.name(user);
    }

    /** The database named by the first (by name) grant on this user that names one and exists. */
    private Optional<String> databaseOf(DatabaseUser user) {
        String key =
                user.getMetadata().getNamespace() + "/" + user.getMetadata().getName();
        return informers.grants().byIndex(UserLogic.INDEX, key).stream()
                .filter(grant -> grant.getSpec().hasDatabaseRef())
                .sorted(Comparator.comparing(
                        (DatabaseGrant grant) -> grant.getMetadata().getName()))
                .map(grant -> {
                    var ref = grant.getSpec().getDatabaseRef();
                    String ns =
                            ref.getNamespace().isEmpty() ? grant.getMetadata().getNamespace() : ref.getNamespace();
                    return informers.databases().get(new NamespacedName(ns, ref.getName()));
                })
                .flatMap(Optional::stream)
                .map((Database database) -> database.getSpec().getName())
                .findFirst();
    }

    private record Subject(String name) {
        ApiException conflict(String why) {
            return new ApiException.Conflict(
                    new ApiException.Subject(USERS.group(), USERS.resource(), name), "credentials unavailable: " + why);
        }
    }
}
