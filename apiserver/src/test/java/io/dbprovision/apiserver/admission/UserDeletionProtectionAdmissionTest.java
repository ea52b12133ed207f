package io.dbprovision.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.admission.Admission;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The annotation dbops.dbprovision.io/deletion-protection=true protects the kinds without spec.deletionProtection
 * (DatabaseUser, DatabaseRole): refused at the door like the field, released by force-delete; any other value, or
 * the annotation on a core kind, protects nothing.
 */
class UserDeletionProtectionAdmissionTest {
    private static final RequestContext ALICE = RequestContext.internal("alice");

    @TempDir
    Path dir;

    private CachingStorage storage;
    private ResourceStore users;
    private ResourceStore roles;
    private ResourceStore secrets;

    @BeforeEach
    void open() {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        Registry registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        registry.useAdmission(new Admission(List.of(new DeletionProtection())));
        users = registry.byPlural("databaseusers").orElseThrow();
        roles = registry.byPlural("databaseroles").orElseThrow();
        secrets = registry.lookup("v1", "secrets").orElseThrow();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void anAnnotatedUserIsRefusedUntilForced() {
        users.create(
                ALICE,
                "team-a",
                user("kept", "\"dbops.dbprovision.io/deletion-protection\":\"true\""),
                WriteOptions.DEFAULT);
        assertThatThrownBy(() -> users.delete(ALICE, "team-a", "kept", DeleteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("databaseusers.dbops.dbprovision.io \"kept\" is forbidden")
                .hasMessageContaining("annotated dbops.dbprovision.io/deletion-protection=true")
                .hasMessageContaining(DeletionProtection.FORCE_DELETE);
        assertThat(users.get(ALICE, "team-a", "kept")).isNotNull();

        users.create(
                ALICE,
                "team-a",
                user(
                        "forced",
                        "\"dbops.dbprovision.io/deletion-protection\":\"true\","
                                + "\"dbops.dbprovision.io/force-delete\":\"true\""),
                WriteOptions.DEFAULT);
        users.delete(ALICE, "team-a", "forced", DeleteOptions.DEFAULT);
    }

    @Test
    void onlyTheValueTrueProtects() {
        for (String value : new String[] {"false", "True", "yes", "", "1"}) {
            String name = "u" + Integer.toHexString(value.hashCode());
            users.create(
                    ALICE,
                    "team-a",
                    user(name, "\"dbops.dbprovision.io/deletion-protection\":\"" + value + "\""),
                    WriteOptions.DEFAULT);
            users.delete(ALICE, "team-a", name, DeleteOptions.DEFAULT);
        }
        users.create(ALICE, "team-a", user("plain", ""), WriteOptions.DEFAULT);
        users.delete(ALICE, "team-a", "plain", DeleteOptions.DEFAULT);
    }

    @Test
    void rolesAreProtectedByTheAnnotationTooButSecretsAreNot() {
        roles.create(ALICE, "team-a", decode(roles, """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseRole",
                 "metadata":{"name":"readers","annotations":{"dbops.dbprovision.io/deletion-protection":"true"}},
                 "spec":{"instanceRef":{"name":"pg"},"roleName":"readers"}}
                """), WriteOptions.DEFAULT);
        assertThatThrownBy(() -> roles.delete(ALICE, "team-a", "readers", DeleteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class);

        secrets.create(ALICE, "team-a", decode(secrets, """
                {"apiVersion":"v1","kind":"Secret",
                 "metadata":{"name":"s","annotations":{"dbops.dbprovision.io/deletion-protection":"true"}}}
                """), WriteOptions.DEFAULT);
        secrets.delete(ALICE, "team-a", "s", DeleteOptions.DEFAULT);
    }

    private Message user(String name, String annotations) {
        return decode(users, """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseUser",
                 "metadata":{"name":"%s","annotations":{%s}},
                 "spec":{"instanceRef":{"name":"pg"},"username":"app"}}
                """.formatted(name, annotations));
    }

    private static Message decode(ResourceStore store, String json) {
        Schema schema =
                store.kind().descriptor().getFile().getPackage().startsWith("dbops") ? Schema.get() : Schema.core();
        return new KubeCodec(schema, Limits.defaults())
                .decodeJson(json.getBytes(StandardCharsets.UTF_8), store.kind().object())
                .object();
    }
}
