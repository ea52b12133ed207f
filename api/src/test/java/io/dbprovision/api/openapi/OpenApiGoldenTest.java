package io.dbprovision.api.openapi;

import io.dbprovision.api.Golden;
import org.junit.jupiter.api.Test;

/** The published documents are pinned, so any change to them shows up as a reviewed diff. */
class OpenApiGoldenTest {
    @Test
    void theV3DocumentMatchesItsGoldenFile() {
        Golden.assertMatches("golden/openapi/v3.json", OpenApiV3.get().prettyJson());
    }

    @Test
    void theV2DocumentMatchesItsGoldenFile() {
        Golden.assertMatches("golden/openapi/v2.json", OpenApiV2.get().prettyJson());
    }
}
