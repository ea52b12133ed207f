package io.dbprovision.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The line is written as UTF-8 bytes directly: they must be exactly the UTF-8 of the escaped text that the audit log
 * has always written (a reference escaper, character by character, below), whatever the string holds — hostile
 * characters, surrogates paired or alone, text long enough to make the buffer grow.
 */
class JsonLineTest {
    @Test
    void theBytesAreTheUtf8OfTheEscapedTextForEveryKindOfCharacter() {
        List<String> samples = List.of(
                "",
                "plain ascii /apis/dbops.dbprovision.io/v1alpha1",
                "quote\" backslash\\ new\nline cr\r tab\t nul\u0000 del\u007f nel\u0085 nbsp\u00a0 é",
                "separators\u2028\u2029 bidi\u202e\u2066\u200f bom\ufeff cjk 日本語 emoji 🎉",
                "lone \ud800 low \udc00 reversed \udc00\ud800 end \ud83c",
                "µs 1.234µs ÿ\u0100\u07ff\u0800\uffff");
        for (String sample : samples) {
            assertThat(written(sample)).as(sample).isEqualTo(reference(sample));
        }
    }

    @Test
    void randomStringsOfAnyLengthAreWrittenAsTheReferenceWritesThem() {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            int length = random.nextInt(round % 100 == 0 ? 5_000 : 64);
            char[] chars = new char[length];
            for (int i = 0; i < length; i++) {
                chars[i] = switch (random.nextInt(5)) {
                    case 0 -> (char) random.nextInt(0x80);
                    case 1 -> (char) (0x80 + random.nextInt(0x780));
                    case 2 -> (char) (0xd800 + random.nextInt(0x800)); // surrogates, paired by chance or alone
                    case 3 -> "\"\\\n\r\t\u2028\u202e\ufeff".charAt(random.nextInt(8));
                    default -> (char) random.nextInt(0x10000);
                };
            }
            String sample = new String(chars);
            assertThat(written(sample)).isEqualTo(reference(sample));
        }
    }

    @Test
    void numbersAndTimesAreWrittenInPlace() {
        JsonLine line = new JsonLine().beginObject().name("code").value(-201L);
        line.microTimeField("t", java.time.Instant.parse("2025-01-31T08:15:42.123456789Z"))
                .endObject();

        assertThat(line.toString()).isEqualTo("{\"code\":-201,\"t\":\"2025-01-31T08:15:42.123456Z\"}");
        assertThat(new String(line.endLine().bytes(), StandardCharsets.UTF_8)).endsWith("}\n");
    }

    private static byte[] written(String value) {
        return new JsonLine()
                .beginObject()
                .field("k", value)
                .endObject()
                .endLine()
                .bytes();
    }

    /** The escaping the audit log has always done, into a String, then encoded. */
    private static byte[] reference(String value) {
        StringBuilder out = new StringBuilder("{\"k\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                out.append(c).append(value.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append("\\ufffd");
            } else if (c < 0x20
                    || (c >= 0x7f && c <= 0x9f)
                    || c == '\u2028'
                    || c == '\u2029'
                    || (c >= '\u200e' && c <= '\u200f')
                    || (c >= '\u202a' && c <= '\u202e')
                    || (c >= '\u2066' && c <= '\u2069')
                    || c == '\ufeff') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append("\"}\n").toString().getBytes(StandardCharsets.UTF_8);
    }
}
