package io.dbprovision.apiserver.endpoints;

import java.nio.charset.StandardCharsets;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/** YAML for documents the server builds itself (lists), in kubectl's block layout. */
final class Yaml {
    private static final DumpSettings SETTINGS = DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.BLOCK)
            .setIndent(2)
            .setWidth(Integer.MAX_VALUE)
            .setSplitLines(false)
            .build();

    private Yaml() {}

    static byte[] write(Object tree) {
        return new Dump(SETTINGS).dumpToString(tree).getBytes(StandardCharsets.UTF_8);
    }
}
