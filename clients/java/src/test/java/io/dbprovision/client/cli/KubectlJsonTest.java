package io.dbprovision.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KubectlJsonTest {
    @Test
    void compactJsonIsIndentedAsKubectlPrintsIt() {
        String compact = "{\"apiVersion\":\"v1\",\"items\":[{\"a\":1,\"b\":[true,null]},{}],\"empty\":[],"
                + "\"text\":\"<a & b>\\n\\\"q\\\"\"}";

        assertThat(KubectlJson.indent(compact.getBytes(StandardCharsets.UTF_8))).isEqualTo("""
                        {
                            "apiVersion": "v1",
                            "items": [
                                {
                                    "a": 1,
                                    "b": [
                                        true,
                                        null
                                    ]
                                },
                                {}
                            ],
                            "empty": [],
                            "text": "\\u003ca \\u0026 b\\u003e\\n\\"q\\""
                        }""");
    }
}
