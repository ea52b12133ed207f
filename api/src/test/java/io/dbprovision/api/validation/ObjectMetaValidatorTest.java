package io.dbprovision.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written name matchers against the regular expressions of Kubernetes they replace. */
class ObjectMetaValidatorTest {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    /** Short strings over an alphabet with every character class the expressions tell apart, and a few beyond. */
    private static List<String> samples() {
        List<String> out = new ArrayList<>(List.of(
                "",
                "a",
                "A",
                "0",
                "-",
                ".",
                "_",
                "a-b",
                "a.b",
                "a..b",
                ".a",
                "a.",
                "-a",
                "a-",
                "a_b",
                "A.b-C_d",
                "example.com",
                "app.kubernetes.io",
                "a-.b",
                "a.-b",
                "é",
                "a\n",
                "a b",
                "x".repeat(70)));
        char[] alphabet = {'a', 'z', 'A', 'Z', '0', '9', '-', '.', '_', '/', ' ', 'é', '\n'};
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(7);
            for (int j = 0; j < length; j++) {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
            out.add(text.toString());
        }
        return out;
    }

    @Test
    void matchersAgreeWithTheExpressions() {
        for (String text : samples()) {
            int n = text.length();
            assertThat(ObjectMetaValidator.isDnsLabel(text, 0, n))
                    .as("DNS label %s", text)
                    .isEqualTo(DNS_LABEL.matcher(text).matches());
            assertThat(ObjectMetaValidator.isDnsSubdomain(text, 0, n))
                    .as("DNS subdomain %s", text)
                    .isEqualTo(DNS_SUBDOMAIN.matcher(text).matches());
            assertThat(ObjectMetaValidator.isQualifiedNamePart(text, 0, n))
                    .as("qualified name part %s", text)
                    .isEqualTo(QUALIFIED_NAME_PART.matcher(text).matches());
            // a range inside a longer string, as qualified names are checked
            String padded = "//" + text + "//";
            assertThat(ObjectMetaValidator.isDnsSubdomain(padded, 2, n + 2))
                    .as("DNS subdomain in %s", padded)
                    .isEqualTo(DNS_SUBDOMAIN.matcher(text).matches());
            assertThat(ObjectMetaValidator.isQualifiedNamePart(padded, 2, n + 2))
                    .as("qualified name part in %s", padded)
                    .isEqualTo(QUALIFIED_NAME_PART.matcher(text).matches());
        }
    }
}
