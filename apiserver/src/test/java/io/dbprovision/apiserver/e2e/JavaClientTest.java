package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official Kubernetes Java client's generic API against the real server, over HTTPS with the standalone CA
 * and the admin token: list, watch, create, patch (merge and JSON), get, the errors as {@code V1Status}, delete.
 */
class JavaClientTest extends E2eServer {
    private static final String NAMESPACE = "java-client";

    @Test
    void listWatchCreatePatch() throws Exception {
        ApiClient client = new ClientBuilder()
                .setBasePath(baseUrl())
                .setCertificateAuthority(Files.readAllBytes(server.caCertificate()))
                .setAuthentication(new AccessTokenAuthentication(server.adminToken()))
                .build();
        client.setReadTimeout(60_000);
        DynamicKubernetesApi api =
                new DynamicKubernetesApi("dbops.dbprovision.io", "v1alpha1", "databaseinstances", client);

        KubernetesApiResponse<DynamicKubernetesListObject> empty =
                api.list(NAMESPACE).throwsApiException();
        assertThat(empty.getObject().getItems()).isEmpty();
        String listVersion = empty.getObject().getMetadata().getResourceVersion();
        assertThat(listVersion).isNotBlank();

        BlockingQueue<Watch.Response<DynamicKubernetesObject>> events = new LinkedBlockingQueue<>();
        List<Throwable> watchErrors = new ArrayList<>();
        Watchable<DynamicKubernetesObject> watch = api.watch(
                NAMESPACE, new ListOptions().resourceVersion(listVersion).timeoutSeconds(60));
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                for (Watch.Response<DynamicKubernetesObject> event : watch) {
                    events.add(event);
                }
            } catch (RuntimeException e) {
                synchronized (watchErrors) {
                    watchErrors.add(e);
                }
            }
        });
        try {
            // create
            DynamicKubernetesObject created =
                    api.create(instance("java-1", 5432)).throwsApiException().getObject();
            assertThat(created.getMetadata().getUid()).isNotBlank();
            assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
            assertThat(created.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
            assertThat(spec(created)
                            .getAsJsonObject("connection")
                            .get("database")
                            .getAsString())
                    .as("defaulted")
                    .isEqualTo("postgres");

            // patch: merge, then JSON
            DynamicKubernetesObject merged = api.patch(
                            NAMESPACE,
                            "java-1",
                            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                            new V1Patch("{\"spec\":{\"connection\":{\"port\":6543}},\"metadata\":{\"labels\":"
                                    + "{\"client\":\"java\"}}}"))
                    .throwsApiException()
                    .getObject();
            assertThat(spec(merged).getAsJsonObject("connection").get("port").getAsInt())
                    .isEqualTo(6543);
            assertThat(merged.getMetadata().getGeneration()).isEqualTo(2L);
            DynamicKubernetesObject jsonPatched = api.patch(
                            NAMESPACE,
                            "java-1",
                            V1Patch.PATCH_FORMAT_JSON_PATCH,
                            new V1Patch("[{\"op\":\"replace\",\"path\":\"/spec/connection/host\","
                                    + "\"value\":\"patched.example.com\"}]"))
                    .throwsApiException()
                    .getObject();
            assertThat(spec(jsonPatched)
                            .getAsJsonObject("connection")
                            .get("host")
                            .getAsString())
                    .isEqualTo("patched.example.com");

            // watch: the three writes, in order, with their objects
            List<Watch.Response<DynamicKubernetesObject>> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Watch.Response<DynamicKubernetesObject> event = events.poll(30, TimeUnit.SECONDS);
                assertThat(event)
                        .as("watch event %d of 3 (errors: %s)", i + 1, watchErrors)
                        .isNotNull();
                seen.add(event);
            }
            assertThat(seen).extracting(e -> e.type).containsExactly("ADDED", "MODIFIED", "MODIFIED");
            assertThat(seen).extracting(e -> e.object.getMetadata().getName()).containsOnly("java-1");
            assertThat(seen.get(2).object.getMetadata().getResourceVersion())
                    .isEqualTo(jsonPatched.getMetadata().getResourceVersion());
            assertThat(spec(seen.get(1).object)
                            .getAsJsonObject("connection")
                            .get("port")
                            .getAsInt())
                    .isEqualTo(6543);

            // list again: by label, and across namespaces
            api.create(instance("java-2", 5432)).throwsApiException();
            KubernetesApiResponse<DynamicKubernetesListObject> labeled =
                    api.list(NAMESPACE, new ListOptions().labelSelector("client=java"));
            assertThat(labeled.throwsApiException().getObject().getItems())
                    .extracting(o -> o.getMetadata().getName())
                    .containsExactly("java-1");
            assertThat(api.list().throwsApiException().getObject().getItems())
                    .extracting(o -> o.getMetadata().getName())
                    .contains("java-1", "java-2");
            Watch.Response<DynamicKubernetesObject> added = events.poll(30, TimeUnit.SECONDS);
            assertThat(added).isNotNull();
            assertThat(added.type).isEqualTo("ADDED");
            assertThat(added.object.getMetadata().getName()).isEqualTo("java-2");

            // errors come back as V1Status
            KubernetesApiResponse<DynamicKubernetesObject> missing = api.get(NAMESPACE, "nope");
            assertThat(missing.isSuccess()).isFalse();
            assertThat(missing.getHttpStatusCode()).isEqualTo(404);
            assertThat(missing.getStatus().getReason()).isEqualTo("NotFound");
            KubernetesApiResponse<DynamicKubernetesObject> invalid = api.create(instance("java-bad", 70000));
            assertThat(invalid.getHttpStatusCode()).isEqualTo(422);
            assertThat(invalid.getStatus().getReason()).isEqualTo("Invalid");
            assertThat(invalid.getStatus().getDetails().getCauses())
                    .singleElement()
                    .satisfies(cause -> {
                        assertThat(cause.getField()).isEqualTo("spec.connection.port");
                        assertThat(cause.getReason()).isEqualTo("FieldValueInvalid");
                    });
            KubernetesApiResponse<DynamicKubernetesObject> exists = api.create(instance("java-2", 5432));
            assertThat(exists.getHttpStatusCode()).isEqualTo(409);
            assertThat(exists.getStatus().getReason()).isEqualTo("AlreadyExists");

            // delete: the watch sees it
            api.delete(NAMESPACE, "java-2").throwsApiException();
            Watch.Response<DynamicKubernetesObject> deleted = events.poll(30, TimeUnit.SECONDS);
            assertThat(deleted).isNotNull();
            assertThat(deleted.type).isEqualTo("DELETED");
            assertThat(deleted.object.getMetadata().getName()).isEqualTo("java-2");
            synchronized (watchErrors) {
                assertThat(watchErrors).isEmpty();
            }
        } finally {
            watch.close(); // the reader may end with an error now: the stream was closed under it
            reader.join(Duration.ofSeconds(10));
        }
    }

    private static DynamicKubernetesObject instance(String name, int port) {
        JsonObject json = JsonParser.parseString("""
                        {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                         "metadata":{"name":"%s","namespace":"%s"},
                         "spec":{"engine":"postgres","deletionProtection":false,"connection":{"host":"%s.example.com","port":%d,
                                 "secretRef":{"name":"%s-admin"}}}}""".formatted(name, NAMESPACE, name, port, name))
                .getAsJsonObject();
        return new DynamicKubernetesObject(json);
    }

    private static JsonObject spec(DynamicKubernetesObject object) {
        return object.getRaw().getAsJsonObject("spec");
    }
}
