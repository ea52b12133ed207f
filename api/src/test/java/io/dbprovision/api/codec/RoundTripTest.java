package io.dbprovision.api.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.Golden;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A manifest of every kind, setting every field, survives YAML and JSON both ways and matches its golden files. */
class RoundTripTest {
    private final KubeCodec codec = KubeCodec.standard();

    static Stream<String> plurals() {
        return Schema.get().kinds().stream().map(Kind::plural);
    }

    @ParameterizedTest
    @MethodSource("plurals")
    void manifestDecodesWithoutUnknownFieldsOrUnsupportedValues(String plural) {
        Decoded<Message> decoded = decodeManifest(plural);

        assertThat(decoded.unknownFields()).isEmpty();
        assertThat(decoded.duplicateFields()).isEmpty();
        assertThat(decoded.invalidValues()).isEmpty();
        assertThat(decoded.object().getDescriptorForType().getName())
                .isEqualTo(Schema.get().byPlural(plural).orElseThrow().kind());
    }

    @ParameterizedTest
    @MethodSource("plurals")
    void yamlAndJsonRoundTripsAreStableAndMatchGoldenFiles(String plural) {
        Message original = decodeManifest(plural).object();

        String yaml = codec.encodeYaml(original);
        byte[] json = codec.encodeJsonPretty(original);
        Message fromYaml = single(codec.decodeYaml(yaml)).object();
        Message fromJson = codec.decodeJson(json).object();

        assertThat(fromYaml).isEqualTo(original);
        assertThat(fromJson).isEqualTo(original);
        assertThat(codec.encodeYaml(fromJson)).isEqualTo(yaml);
        Golden.assertMatches("golden/" + plural + ".yaml", yaml);
        Golden.assertMatches("golden/" + plural + ".json", new String(json, StandardCharsets.UTF_8) + "\n");
    }

    @ParameterizedTest
    @MethodSource("plurals")
    void manifestSetsEveryFieldOfTheSchema(String plural) {
        Message original = decodeManifest(plural).object();

        assertThat(SchemaCoverage.unsetFields(original)).isEmpty();
    }

    private Decoded<Message> decodeManifest(String plural) {
        return single(codec.decodeYaml(Golden.read("manifests/" + plural + ".yaml")));
    }

    private static Decoded<Message> single(List<Decoded<Message>> documents) {
        assertThat(documents).hasSize(1);
        return documents.getFirst();
    }
}
