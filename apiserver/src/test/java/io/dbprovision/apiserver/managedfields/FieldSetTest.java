package io.dbprovision.apiserver.managedfields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldSetTest {
    @Test
    void readsAndWritesFieldsV1WithTheDotForMembersThatHaveChildren() throws Exception {
        String json = """
                {"f:metadata":{"f:labels":{".":{},"f:app":{}}},
                 "f:spec":{".":{},"f:connection":{"f:host":{}},"f:engine":{}}}""";
        FieldSet set = FieldSet.fromFieldsV1(struct(json));

        assertThat(set.paths().stream().map(FieldSet::render))
                .containsExactly(
                        ".spec", ".metadata.labels", ".metadata.labels.app", ".spec.engine", ".spec.connection.host");
        assertThat(set.contains(List.of("f:metadata"))).isFalse();
        assertThat(set.contains(List.of("f:metadata", "f:labels"))).isTrue();
        assertThat(set.toFieldsV1()).isEqualTo(struct(json));
    }

    @Test
    void keepsElementsOfOtherTypesAndDropsUnknownOnes() throws Exception {
        FieldSet set = FieldSet.fromFieldsV1(
                struct("{\"f:spec\":{\"f:items\":{\"k:{\\\"name\\\":\\\"a\\\"}\":{}}},\"x:odd\":{}}"));

        assertThat(set.paths()).containsExactly(List.of("f:spec", "f:items", "k:{\"name\":\"a\"}"));
        assertThat(FieldSet.render(set.paths().getFirst())).isEqualTo(".spec.items[{\"name\":\"a\"}]");
    }

    @Test
    void refusesValuesThatAreNotObjects() throws Exception {
        assertThatThrownBy(() -> FieldSet.fromFieldsV1(struct("{\"f:spec\":true}")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void setOperationsWorkOnMembersAndKeepTheTrieMinimal() {
        FieldSet a = FieldSet.ofFields("spec.engine", "spec.connection.host", "metadata.labels.app");
        FieldSet b = FieldSet.ofFields("spec.engine", "spec.connection.port");

        assertThat(a.intersection(b)).isEqualTo(FieldSet.ofFields("spec.engine"));
        assertThat(a.difference(b)).isEqualTo(FieldSet.ofFields("spec.connection.host", "metadata.labels.app"));
        assertThat(a.union(b))
                .isEqualTo(FieldSet.ofFields(
                        "spec.engine", "spec.connection.host", "spec.connection.port", "metadata.labels.app"));
        assertThat(a.difference(a).isEmpty()).isTrue();
        assertThat(a.withoutSubtree("f:spec")).isEqualTo(FieldSet.ofFields("metadata.labels.app"));
        assertThat(a.onlySubtree("f:spec")).isEqualTo(FieldSet.ofFields("spec.engine", "spec.connection.host"));
        assertThat(FieldSet.ofFields("spec.tls.enabled").withAncestors())
                .isEqualTo(FieldSet.ofFields("spec", "spec.tls", "spec.tls.enabled"));
        // a member that is also a parent stays a member when only its child is removed
        assertThat(FieldSet.ofFields("spec", "spec.engine").difference(FieldSet.ofFields("spec.engine")))
                .isEqualTo(FieldSet.ofFields("spec"));
    }

    @Test
    void comparesTreesLeafByLeafWithListsAtomic() {
        Map<String, Object> before =
                Map.of("spec", Map.of("engine", "postgres", "list", List.of(1, 2), "gone", Map.of("x", 1)));
        Map<String, Object> after =
                Map.of("spec", Map.of("engine", "mysql", "list", List.of(1, 3), "tls", Map.of("enabled", true)));

        Comparison comparison = Comparison.of(before, after);

        assertThat(comparison.modified()).isEqualTo(FieldSet.ofFields("spec.engine", "spec.list"));
        assertThat(comparison.added()).isEqualTo(FieldSet.ofFields("spec.tls", "spec.tls.enabled"));
        assertThat(comparison.removed()).isEqualTo(FieldSet.ofFields("spec.gone", "spec.gone.x"));
    }

    static Struct struct(String json) throws Exception {
        return toStruct((Map<?, ?>) new ObjectMapper().readValue(json, Object.class));
    }

    private static Struct toStruct(Map<?, ?> map) {
        Struct.Builder out = Struct.newBuilder();
        map.forEach((key, value) -> out.putFields(
                (String) key,
                value instanceof Map<?, ?> m
                        ? Value.newBuilder().setStructValue(toStruct(m)).build()
                        : Value.newBuilder()
                                .setBoolValue(Boolean.TRUE.equals(value))
                                .build()));
        return out.build();
    }
}
