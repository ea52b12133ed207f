package io.dbprovision.apiserver.portal;

import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.reconcile.user.CredentialsReader;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.SubresourceReader;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserCredentials;
import io.dbprovision.proto.v1alpha1.EngineType;
import java.util.Locale;
import java.util.Optional;

/**
 * How to connect as a DatabaseUser, read through what serves {@code databaseusers/{name}/credentials} (its Secret
 * and its instance, at call time), without the password unless the caller may have it: a caller allowed {@code get}
 * on the user's credentials Secret or on {@code databaseusers/credentials}. Each read is an operation of its own,
 * authorized and audited as its REST request.
 */
final class Connections {
    private static final String PASSWORD_KEY = "password";
    private static final RequestContext INTERNAL = RequestContext.internal("system:dbprovision:portal");

    private final Registry registry;
    private final Optional<SubresourceReader> credentials;
    private final Operations operations;
    private final Kind users;
    private final Kind secrets;

    Connections(Registry registry, Optional<SubresourceReader> credentials, Operations operations) {
        this.registry = registry;
        this.credentials = credentials;
        this.operations = operations;
        this.users = store("databaseusers").kind();
        this.secrets = Schema.core().kinds().stream()
                .filter(kind -> kind.plural().equals("secrets"))
                .findFirst()
                .orElseThrow();
    }

    /** The connection of user {@code namespace/name} as the current caller may see it. */
    Connection read(String namespace, String name, boolean includePassword) {
        SubresourceReader reader = credentials.orElseThrow(() -> new ApiException.Unavailable(
                "connection details are not served here: the server runs without its reconcilers", null));
        DatabaseUser user = (DatabaseUser) operations.run(
                RestRequest.of("GET", users, namespace, name),
                200,
                context -> store("databaseusers").get(context, namespace, name));
        DatabaseUserCredentials answer;
        if (includePassword) {
            RestRequest subresource = RestRequest.of("GET", users, namespace, name, "credentials", java.util.Map.of());
            // The caller's Secret permission is asked for without an audit line of its own unless it is what allows.
            RestRequest secret = RestRequest.of("GET", secrets, namespace, CredentialsReader.secretName(user));
            RestRequest allowing = !operations.allows(subresource) && operations.allows(secret) ? secret : subresource;
            answer = operations.run(allowing, 200, context -> readCredentials(reader, namespace, name));
        } else {
            answer = readCredentials(reader, namespace, name);
        }
        Connection.Builder connection = Connection.newBuilder()
                .setHost(answer.getHost())
                .setPort(answer.getPort())
                .setDatabase(answer.getDatabase())
                .setUser(answer.getUsername())
                .setTlsMode(answer.getSslMode())
                .setEngine(engine(user))
                .setSecretNamespace(namespace)
                .setSecretName(answer.getSecretName())
                .setPasswordKey(PASSWORD_KEY);
        if (includePassword) {
            connection.setPassword(answer.getPassword()).setUrl(answer.getUrl());
        } else {
            connection.setUrl(withoutPassword(answer.getUrl()));
        }
        return connection.build();
    }

    private static DatabaseUserCredentials readCredentials(SubresourceReader reader, String namespace, String name) {
        try {
            return (DatabaseUserCredentials) reader.read(INTERNAL, namespace, name);
        } catch (ApiException.Conflict notYet) {
            // not issued yet, or the instance is not usable: a precondition, not a concurrent write
            throw io.grpc.Status.FAILED_PRECONDITION
                    .withDescription(notYet.getMessage())
                    .asRuntimeException();
        }
    }

    /** {@code scheme://user:password@host…} as {@code scheme://user@host…}: user and password are URL-encoded. */
    static String withoutPassword(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@', scheme + 3);
        if (scheme < 0 || at < 0) {
            return "";
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return url.substring(0, scheme + 3) + (colon < 0 ? userInfo : userInfo.substring(0, colon)) + url.substring(at);
    }

    private String engine(DatabaseUser user) {
        EngineType engine;
        try {
            if (user.getSpec().hasClusterInstanceRef()) {
                engine = ((ClusterDatabaseInstance) store("clusterdatabaseinstances")
                                .get(
                                        INTERNAL,
                                        "",
                                        user.getSpec().getClusterInstanceRef().getName()))
                        .getSpec()
                        .getEngine();
            } else {
                var ref = user.getSpec().getInstanceRef();
                String namespace =
                        ref.getNamespace().isEmpty() ? user.getMetadata().getNamespace() : ref.getNamespace();
                engine = ((DatabaseInstance) store("databaseinstances").get(INTERNAL, namespace, ref.getName()))
                        .getSpec()
                        .getEngine();
            }
        } catch (ApiException.NotFound gone) {
            return "";
        }
        return engineName(engine);
    }

    static String engineName(EngineType engine) {
        return engine == EngineType.ENGINE_TYPE_UNSPECIFIED || engine == EngineType.UNRECOGNIZED
                ? ""
                : engine.name().substring("ENGINE_TYPE_".length()).toLowerCase(Locale.ROOT);
    }

    private ResourceStore store(String plural) {
        return registry.byPlural(plural).orElseThrow(() -> new IllegalStateException(plural + " are not served"));
    }
}
