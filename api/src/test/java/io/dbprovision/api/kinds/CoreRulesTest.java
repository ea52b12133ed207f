package io.dbprovision.api.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.schema.Schema;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The core v1 kinds' rules: what the kube-apiserver checks on write, checked alike here. */
class CoreRulesTest {
    private final KubeCodec codec = new KubeCodec(List.of(Schema.core()), Limits.defaults());
    private final ObjectRules rules = ObjectRules.core();

    @Test
    void secretsHaveConfigKeysAndAtMostOneMebibyteAsTheKubeApiServerChecks() {
        Message keys = rules.applyDefaults(decode("""
                apiVersion: v1
                kind: Secret
                metadata: {name: s, namespace: team-a}
                stringData: {"ok.key_1-x": a, "bad/key": b, "..dots": c}
                """));
        assertThat(messages(rules.validateCreate(keys).errors()))
                .containsExactlyInAnyOrder(
                        "data[bad/key]: Invalid value: \"bad/key\": a valid config key must consist of alphanumeric"
                                + " characters, '-', '_' or '.'",
                        "data[..dots]: Invalid value: \"..dots\": must not be '.' or '..' and must not start with"
                                + " '..'");

        String half = "x".repeat(CoreRules.MAX_SECRET_BYTES / 2);
        Message atLimit = rules.applyDefaults(decode("""
                apiVersion: v1
                kind: Secret
                metadata: {name: s, namespace: team-a}
                stringData: {a: "%s", b: "%s"}
                """.formatted(half.substring(1), half.substring(1))));
        Message over = rules.applyDefaults(decode("""
                apiVersion: v1
                kind: Secret
                metadata: {name: s, namespace: team-a}
                stringData: {a: "%s", b: "%s"}
                """.formatted(half, half)));
        assertThat(rules.validateCreate(atLimit).errors()).isEmpty();
        assertThat(messages(rules.validateCreate(over).errors()))
                .containsExactly("data: Too long: may not be more than 1048576 bytes");
    }

    @Test
    void configMapsHaveConfigKeysNoKeyTwiceAndAtMostOneMebibyte() {
        Message keys = rules.applyDefaults(decode("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c, namespace: team-a}
                data: {"init.sql": "SELECT 1", "bad/key": b}
                binaryData: {"init.sql": AA==, "..up": AA==}
                """));
        assertThat(messages(rules.validateCreate(keys).errors()))
                .containsExactlyInAnyOrder(
                        "data[bad/key]: Invalid value: \"bad/key\": a valid config key must consist of alphanumeric"
                                + " characters, '-', '_' or '.'",
                        "binaryData[..up]: Invalid value: \"..up\": must not be '.' or '..' and must not start with"
                                + " '..'",
                        "binaryData[init.sql]: Invalid value: \"init.sql\": duplicate of key present in data");

        String half = "x".repeat(CoreRules.MAX_SECRET_BYTES / 2);
        Message over = rules.applyDefaults(decode("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c, namespace: team-a}
                data: {a: "%s", b: "%s"}
                """.formatted(half, half)));
        assertThat(messages(rules.validateCreate(over).errors()))
                .containsExactly("Too long: may not be more than 1048576 bytes");
    }

    private Message decode(String yaml) {
        var decoded = codec.decodeYaml(yaml);
        assertThat(decoded).hasSize(1);
        return decoded.getFirst().object();
    }

    private static List<String> messages(List<FieldError> errors) {
        return errors.stream().map(FieldError::toString).toList();
    }
}
