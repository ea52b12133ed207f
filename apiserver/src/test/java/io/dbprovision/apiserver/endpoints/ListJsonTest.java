package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.Page;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.ListOptions;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain JSON list is written from each stored version's kept JSON, in parts, not from a tree of the whole list:
 * its bytes must be exactly those of the tree route, and a version's kept JSON exactly its object's encoding.
 */
class ListJsonTest {
    private static final io.dbprovision.apiserver.request.RequestContext CTX =
            io.dbprovision.apiserver.request.RequestContext.internal("test");
    private final KubeCodec codec = new KubeCodec(Schema.get(), io.dbprovision.api.codec.Limits.defaults());

    @TempDir
    Path dir;

    private CachingStorage storage;
    private ResourceStore store;

    @BeforeEach
    void open() {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        store = new Registry(Schema.get(), storage, ObjectRules.standard(), Clock.systemUTC())
                .byPlural("databaseinstances")
                .orElseThrow();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void aListIsTheSameBytesAsItsTree() {
        for (int i = 0; i < 3; i++) {
            create("pg-" + i);
        }
        for (ListQuery query :
                List.of(ListQuery.ALL, new ListQuery("", "", 2, "", 0, ListOptions.Match.LATEST), ListQuery.ALL)) {
            Page page = store.list(CTX, "team-a", query);
            byte[] expected = Json.write(ResourceEndpoints.listDocument(codec, store.kind(), page));
            assertThat(new String(joined(ResourceEndpoints.listJson(store.kind(), page)), StandardCharsets.UTF_8))
                    .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        }
    }

    @Test
    void anEmptyListHasEmptyItems() {
        Page page = store.list(CTX, "nobody", ListQuery.ALL);
        assertThat(new String(joined(ResourceEndpoints.listJson(store.kind(), page)), StandardCharsets.UTF_8))
                .isEqualTo(new String(
                        Json.write(ResourceEndpoints.listDocument(codec, store.kind(), page)), StandardCharsets.UTF_8))
                .endsWith("\"items\":[]}");
    }

    /** The kept JSON follows the version: after an update, the new version's, never the old one's. */
    @Test
    void eachVersionKeepsItsOwnJson() {
        Message created = create("pg-0");
        byte[] first = store.getVersion(CTX, "team-a", "pg-0").json();
        assertThat(first).isEqualTo(codec.encodeJson(created));
        store.patch(
                CTX,
                "team-a",
                "pg-0",
                current -> io.dbprovision.apiserver.registry.Objects.withMeta(
                        current,
                        io.dbprovision.apiserver.registry.Objects.meta(current).toBuilder()
                                .putLabels("tier", "gold")
                                .build()),
                WriteOptions.DEFAULT,
                false);
        byte[] second = store.getVersion(CTX, "team-a", "pg-0").json();
        assertThat(second).isEqualTo(codec.encodeJson(store.get(CTX, "team-a", "pg-0")));
        assertThat(new String(second, StandardCharsets.UTF_8)).contains("\"tier\":\"gold\"");
        assertThat(first).isNotEqualTo(second);
    }

    private Message create(String name) {
        String json = """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                 "metadata":{"name":"%s","labels":{"team":"a"}},
                 "spec":{"engine":"postgres","connection":{"host":"db.example.com","port":5432,
                         "secretRef":{"name":"admin"}}}}
                """.formatted(name);
        Message object = codec.decodeJson(
                        json.getBytes(StandardCharsets.UTF_8), store.kind().object())
                .object();
        return store.create(CTX, "team-a", object, WriteOptions.DEFAULT).object();
    }

    private static byte[] joined(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
