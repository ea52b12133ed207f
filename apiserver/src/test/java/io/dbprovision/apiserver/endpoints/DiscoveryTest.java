package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.DatabaseDrift;
import io.dbprovision.proto.v1alpha1.DatabaseUserCredentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The discovery documents with and without computed subresources: each kind and its status as before, and each
 * computed subresource once more after them, with verb get and its response kind, in the legacy and the aggregated
 * forms; the bytes (and so the ETags) the same on every build.
 */
class DiscoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GV = "/apis/dbops.dbprovision.io/v1alpha1";
    private static final List<Schema> SCHEMAS = List.of(Schema.get(), Schema.core());
    private static final List<ComputedSubresource> COMPUTED = List.of(
            ComputedSubresource.of(Schema.get(), "databases", "drift", DatabaseDrift.getDefaultInstance()),
            ComputedSubresource.of(
                    Schema.get(), "databaseusers", "credentials", DatabaseUserCredentials.getDefaultInstance()));

    private final Discovery plain = new Discovery(SCHEMAS, List.of());
    private final Discovery served = new Discovery(SCHEMAS, COMPUTED);

    @Test
    void withoutSubresourcesEveryKindIsListedWithItsStatusOnly() {
        JsonNode resources = tree(plain.document(GV).orElseThrow()).path("resources");
        int kinds = Schema.get().kinds().size();
        assertThat(resources).hasSize(2 * kinds); // every dbops kind has a status
        assertThat(names(resources)).noneMatch(name -> name.endsWith("/credentials") || name.endsWith("/drift"));
    }

    @Test
    void eachComputedSubresourceFollowsItsKindAndStatusWithVerbGetAndItsKind() {
        List<String> before = names(tree(plain.document(GV).orElseThrow()).path("resources"));
        JsonNode resources = tree(served.document(GV).orElseThrow()).path("resources");
        List<String> after = names(resources);

        List<String> expected = new ArrayList<>(before);
        expected.add(expected.indexOf("databases/status") + 1, "databases/drift");
        expected.add(expected.indexOf("databaseusers/status") + 1, "databaseusers/credentials");
        assertThat(after).isEqualTo(expected);

        JsonNode credentials = resources.get(after.indexOf("databaseusers/credentials"));
        assertThat(credentials.toString())
                .isEqualTo("{\"name\":\"databaseusers/credentials\",\"singularName\":\"\",\"namespaced\":true,"
                        + "\"kind\":\"DatabaseUserCredentials\",\"verbs\":[\"get\"]}");
        assertThat(resources.get(after.indexOf("databases/drift")).path("kind").asText())
                .isEqualTo("DatabaseDrift");
    }

    @Test
    void theAggregatedDocumentsListThemAmongTheKindsSubresources() {
        for (boolean v2 : List.of(true, false)) {
            JsonNode group = tree(served.named().aggregated(v2)).path("items").get(0);
            JsonNode resources = group.path("versions").get(0).path("resources");
            for (JsonNode resource : resources) {
                String plural = resource.path("resource").asText();
                List<String> subresources = new ArrayList<>();
                resource.path("subresources")
                        .forEach(s -> subresources.add(s.path("subresource").asText()));
                switch (plural) {
                    case "databases" -> assertThat(subresources).containsExactly("status", "drift");
                    case "databaseusers" -> assertThat(subresources).containsExactly("status", "credentials");
                    default -> assertThat(subresources).as(plural).containsExactly("status");
                }
            }
            JsonNode users = find(resources, "databaseusers");
            assertThat(users.path("subresources").get(1).toString())
                    .isEqualTo("{\"subresource\":\"credentials\",\"responseKind\":{\"group\":\"dbops.dbprovision.io\","
                            + "\"version\":\"v1alpha1\",\"kind\":\"DatabaseUserCredentials\"},\"verbs\":[\"get\"]}");
        }
    }

    @Test
    void theDocumentsAreTheSameBytesOnEveryBuildAndTheEtagTellsThemApart() {
        Discovery again = new Discovery(SCHEMAS, List.of(COMPUTED.get(1), COMPUTED.get(0)));
        assertThat(again.document(GV).orElseThrow())
                .isEqualTo(served.document(GV).orElseThrow());
        assertThat(again.named().aggregated(true)).isEqualTo(served.named().aggregated(true));
        assertThat(again.named().aggregatedEtag(true)).isEqualTo(served.named().aggregatedEtag(true));
        assertThat(served.named().aggregatedEtag(true))
                .isNotEqualTo(plain.named().aggregatedEtag(true));
        assertThat(served.core().orElseThrow().legacy())
                .as("the core group is untouched")
                .isEqualTo(plain.core().orElseThrow().legacy());
        assertThat(served.document("/api/v1")).isPresent();
        assertThat(served.document("/api/v1").orElseThrow())
                .isEqualTo(plain.document("/api/v1").orElseThrow());
    }

    @Test
    void kindsKeepTheirOwnVerbs() {
        JsonNode resources = tree(served.document(GV).orElseThrow()).path("resources");
        for (Kind kind : Schema.get().kinds()) {
            JsonNode resource = resources.get(names(resources).indexOf(kind.plural()));
            assertThat(resource.path("verbs").toString()).as(kind.plural()).contains("\"list\"", "\"watch\"");
        }
    }

    private static JsonNode find(JsonNode resources, String plural) {
        for (JsonNode resource : resources) {
            if (resource.path("resource").asText().equals(plural)) {
                return resource;
            }
        }
        throw new AssertionError(plural + " not in " + resources);
    }

    private static List<String> names(JsonNode resources) {
        List<String> names = new ArrayList<>();
        resources.forEach(resource -> names.add(resource.path("name").asText()));
        return names;
    }

    private static JsonNode tree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
