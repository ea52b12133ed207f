package io.dbprovision.api.codec;

import static io.dbprovision.api.codec.CodecTestSupport.CODEC;
import static io.dbprovision.api.codec.CodecTestSupport.concat;
import static io.dbprovision.api.codec.CodecTestSupport.decodeYaml;
import static io.dbprovision.api.codec.CodecTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.Message;
import io.dbprovision.api.Golden;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever the bytes, decoding gives objects or a CodecException, and what it accepts can be written and read
 * back unchanged. Deterministic: every truncation of one manifest, and seeded random mutations of all of them.
 */
class MutationSweepTest {
    private static final List<byte[]> SNIPPETS = Stream.of(
                    "{",
                    "}",
                    "[",
                    "]",
                    "\"",
                    "'",
                    ":",
                    ",",
                    "-",
                    " ",
                    "\n",
                    "\t",
                    "#",
                    "%",
                    "@",
                    "`",
                    "\\",
                    "\\u",
                    "&a ",
                    "*a",
                    "!!",
                    "!!merge ",
                    "|",
                    ">",
                    "<<: ",
                    "? ",
                    "---\n",
                    "...\n",
                    "0",
                    "9",
                    "e",
                    ".",
                    "null",
                    "true",
                    "~",
                    "1e999",
                    "99999999999",
                    "-0",
                    "\\ud800",
                    "\u0000",
                    "\u0085",
                    "\u2028",
                    "\uFEFF",
                    "😀")
            .map(CodecTestSupport::utf8)
            .toList();
    private static final byte[] RAW_BYTES = {(byte) 0x80, (byte) 0xC0, (byte) 0xED, (byte) 0xFF, 0x7F, 0x1B};

    static Stream<String> plurals() {
        return Schema.get().kinds().stream().map(Kind::plural);
    }

    @Test
    void everyTruncationOfAManifest() {
        byte[] yaml = utf8(Golden.read("manifests/databaseinstances.yaml"));
        byte[] json = CODEC.encodeJson(CodecTestSupport.manifest("databaseinstances"));

        for (int end = 0; end <= yaml.length; end++) {
            decodesOrIsRefused(Arrays.copyOf(yaml, end), false, false);
        }
        for (int end = 0; end <= json.length; end++) {
            decodesOrIsRefused(Arrays.copyOf(json, end), true, false);
        }
    }

    @ParameterizedTest
    @MethodSource("plurals")
    void randomMutationsOfEveryManifest(String plural) {
        Random random = new Random(plural.hashCode()); // fixed seed per kind: the same mutants on every run
        byte[] yaml = utf8(Golden.read("manifests/" + plural + ".yaml"));
        byte[] json = CODEC.encodeJsonPretty(CodecTestSupport.manifest(plural));

        for (int i = 0; i < 40; i++) {
            decodesOrIsRefused(mutate(yaml, random), false, true);
            decodesOrIsRefused(mutate(json, random), true, true);
        }
    }

    private static byte[] mutate(byte[] document, Random random) {
        byte[] out = document;
        for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
            int at = random.nextInt(out.length + 1);
            out = switch (random.nextInt(4)) {
                case 0 -> { // insert a snippet
                    byte[] snippet = SNIPPETS.get(random.nextInt(SNIPPETS.size()));
                    yield concat(Arrays.copyOf(out, at), snippet, Arrays.copyOfRange(out, at, out.length));
                }
                case 1 -> { // overwrite a byte with one that is often invalid
                    byte[] copy = out.clone();
                    if (at < copy.length) {
                        copy[at] = RAW_BYTES[random.nextInt(RAW_BYTES.length)];
                    }
                    yield copy;
                }
                case 2 -> { // delete a few bytes
                    int end = Math.min(out.length, at + 1 + random.nextInt(8));
                    yield concat(Arrays.copyOf(out, at), Arrays.copyOfRange(out, end, out.length));
                }
                default -> { // repeat a stretch, as a bad copy and paste would
                    int end = Math.min(out.length, at + random.nextInt(200));
                    byte[] stretch = Arrays.copyOfRange(out, at, end);
                    yield concat(Arrays.copyOf(out, end), stretch, Arrays.copyOfRange(out, end, out.length));
                }
            };
        }
        return out;
    }

    private static void decodesOrIsRefused(byte[] document, boolean json, boolean roundTrip) {
        List<Message> decoded = new ArrayList<>();
        Throwable thrown = catchThrowable(() -> {
            if (json) {
                decoded.add(CODEC.decodeJson(document).object());
            } else {
                CODEC.decodeYaml(document).forEach(d -> decoded.add(d.object()));
            }
        });
        String shown = new String(document, StandardCharsets.UTF_8);
        if (thrown != null) {
            assertThat(thrown).as("decoding %s", shown).isExactlyInstanceOf(CodecException.class);
            assertThat(thrown.getMessage()).as("decoding %s", shown).isNotBlank();
            return;
        }
        if (!roundTrip) {
            return;
        }
        for (Message object : decoded) {
            assertThat(CODEC.decodeJson(CODEC.encodeJson(object)).object())
                    .as("JSON round trip of %s", shown)
                    .isEqualTo(object);
            assertThat(decodeYaml(CODEC.encodeYaml(object)).object())
                    .as("YAML round trip of %s", shown)
                    .isEqualTo(object);
        }
    }
}
