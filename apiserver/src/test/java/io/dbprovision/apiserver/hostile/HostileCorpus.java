package io.dbprovision.apiserver.hostile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The hostile requests, by category. Every one must be answered 4xx with a Kubernetes Status. The objects they aim
 * at exist: namespace {@code hostile} with the Database {@code db1} and the Secret {@code s1}.
 */
final class HostileCorpus {
    static final String NS = "hostile";
    static final String GV = "/apis/dbops.dbprovision.io/v1alpha1";
    static final String DBS = GV + "/namespaces/" + NS + "/databases";
    static final String DB = DBS + "/db1";
    static final String SECRETS = "/api/v1/namespaces/" + NS + "/secrets";
    static final String CONFIG_MAPS = "/api/v1/namespaces/" + NS + "/configmaps";
    static final String SECRET = SECRETS + "/s1";
    static final String MERGE = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";
    static final String APPLY = "application/apply-patch+yaml";
    static final int MAX_BODY = 3 * 1024 * 1024;

    private final List<HostileRequest> requests = new ArrayList<>();

    private HostileCorpus() {}

    static List<HostileRequest> all() {
        HostileCorpus corpus = new HostileCorpus();
        corpus.malformedJson();
        corpus.wrongTypes();
        corpus.malformedYaml();
        corpus.oversizedAndLyingBodies();
        corpus.deepNesting();
        corpus.amplifyingPatches();
        corpus.invalidUtf8();
        corpus.badContentTypes();
        corpus.badAccept();
        corpus.pathTraversal();
        corpus.unparsableQueries();
        corpus.wrongScope();
        corpus.headerAbuse();
        return List.copyOf(corpus.requests);
    }

    private void add(HostileRequest request) {
        requests.add(request);
    }

    // ---- bodies

    private static final List<String> MALFORMED_JSON = List.of(
            "{",
            "}",
            "[",
            "{\"apiVersion\":",
            "{\"apiVersion\": \"dbops.dbprovision.io/v1alpha1\",",
            "{'apiVersion': 'v1'}",
            "{apiVersion: \"v1\"}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\":tru}",
            "{\"a\":nul}",
            "{\"a\":\"unterminated}",
            "{\"a\":\"bad escape \\x41\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":01}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":1} {\"b\":2}",
            "{\"a\":1}]",
            "{/* comment */}",
            "// comment\n{}",
            "{\"a\":[1,2,}",
            "{\"a\":[1 2]}",
            "{\"a\"::1}",
            "{,}",
            "\"just a string\"",
            "12345",
            "true",
            "null",
            "[]",
            "[{\"apiVersion\":\"v1\"}]",
            " ",
            "\u0000",
            "{\"a\":\"tab\tinside\"}",
            "{\"a\":\"newline\ninside\"}",
            "\uFEFF{}{",
            "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",\"metadata\":{\"name\":\"x\"",
            "{\"kind\":\"Database\",\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"metadata\":{\"name\":\"x\"}}"
                    + "garbage");

    private void malformedJson() {
        for (String body : MALFORMED_JSON) {
            String what = "malformed JSON " + abbreviate(body);
            add(HostileRequest.of("malformed JSON", what, "POST", DBS, 400).json(body));
            add(HostileRequest.of("malformed JSON", what, "PUT", DB, 400).json(body));
            add(HostileRequest.of("malformed JSON", what, "POST", SECRETS, 400).json(body));
            add(HostileRequest.of("malformed JSON", what, "PATCH", DB, 400)
                    .header("Content-Type", MERGE)
                    .body(body));
        }
        add(HostileRequest.of("malformed JSON", "empty body", "POST", DBS, 400).json(""));
        add(HostileRequest.of("malformed JSON", "empty merge patch", "PATCH", DB, 400)
                .header("Content-Type", MERGE));
        add(HostileRequest.of("malformed JSON", "empty JSON patch", "PATCH", DB, 400)
                .header("Content-Type", JSON_PATCH));
        add(HostileRequest.of("malformed JSON", "malformed DeleteOptions", "DELETE", DB, 400)
                .json("{\"propagationPolicy\":"));
        add(HostileRequest.of("malformed JSON", "DeleteOptions as an array", "DELETE", DB, 400)
                .json("[1]"));
    }

    private void wrongTypes() {
        String head = "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",";
        List<String> bodies = List.of(
                head + "\"metadata\":\"db-x\"}",
                head + "\"metadata\":[\"db-x\"]}",
                head + "\"metadata\":{\"name\":7}}",
                head + "\"metadata\":{\"name\":\"db-x\",\"labels\":[\"a\"]}}",
                head + "\"metadata\":{\"name\":\"db-x\",\"labels\":{\"a\":1}}}",
                head + "\"metadata\":{\"name\":\"db-x\",\"labels\":{\"a\":{\"b\":\"c\"}}}}",
                head + "\"metadata\":{\"name\":\"db-x\",\"annotations\":\"x\"}}",
                head + "\"metadata\":{\"name\":\"db-x\",\"generation\":\"one\"}}",
                head + "\"metadata\":{\"name\":\"db-x\",\"finalizers\":\"x\"}}",
                head + "\"metadata\":{\"name\":\"db-x\"},\"spec\":\"x\"}",
                head + "\"metadata\":{\"name\":\"db-x\"},\"spec\":[]}",
                head + "\"metadata\":{\"name\":\"db-x\"},\"spec\":{\"instanceRef\":\"pg\"}}",
                head + "\"metadata\":{\"name\":\"db-x\"},\"spec\":{\"instanceRef\":{\"name\":true}}}",
                head + "\"metadata\":{\"name\":\"db-x\"},\"spec\":{\"name\":12}}",
                head + "\"metadata\":{\"name\":\"db-x\"},\"spec\":{\"name\":1e400}}",
                "{\"apiVersion\":7,\"kind\":\"Database\",\"metadata\":{\"name\":\"db-x\"}}",
                "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":[],\"metadata\":{\"name\":\"db-x\"}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db-x\"}}",
                "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"DatabaseUser\",\"metadata\":{\"name\":\"x\"}}",
                "{\"apiVersion\":\"dbops.dbprovision.io/v9\",\"kind\":\"Database\",\"metadata\":{\"name\":\"x\"}}");
        for (String body : bodies) {
            add(HostileRequest.of("wrong types", "wrong type " + abbreviate(body), "POST", DBS, 400, 422)
                    .json(body));
        }
        List<String> secrets = List.of(
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"data\":{\"a\":\"not base64!\"}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"data\":[\"a\"]}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"data\":{\"a\":5}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"stringData\":{\"a\":{}}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"type\":5}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"immutable\":\"yes\"}");
        for (String body : secrets) {
            add(HostileRequest.of("wrong types", "wrong type " + abbreviate(body), "POST", SECRETS, 400, 422)
                    .json(body));
        }
        // what the kube-apiserver refuses in a Secret's content: keys that are not config keys, more than 1 MiB
        String oversized = "x".repeat(1024 * 1024);
        List<String> badSecrets = List.of(
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"stringData\":{\"../etc\":\"a\"}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"stringData\":{\"a b\":\"a\"}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"stringData\":{\"..\":\"a\"}}",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-x\"},\"stringData\":{\"a\":\""
                        + oversized + "\"}}");
        for (String body : badSecrets) {
            add(HostileRequest.of("bad values", "Secret content " + abbreviate(body), "POST", SECRETS, 422)
                    .json(body));
        }
        // the same for a ConfigMap, plus a key in both data and binaryData, and a value of the wrong type
        String configMap = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c-x\"},";
        List<String> badConfigMaps = List.of(
                configMap + "\"data\":{\"../etc\":\"a\"}}",
                configMap + "\"binaryData\":{\"a b\":\"AA==\"}}",
                configMap + "\"data\":{\"k\":\"a\"},\"binaryData\":{\"k\":\"AA==\"}}",
                configMap + "\"data\":{\"a\":\"" + oversized + "\"}}");
        for (String body : badConfigMaps) {
            add(HostileRequest.of("bad values", "ConfigMap content " + abbreviate(body), "POST", CONFIG_MAPS, 422)
                    .json(body));
        }
        List<String> wrongConfigMaps = List.of(
                configMap + "\"data\":{\"a\":5}}",
                configMap + "\"data\":[\"a\"]}",
                configMap + "\"binaryData\":{\"a\":\"not base64!\"}}");
        for (String body : wrongConfigMaps) {
            add(HostileRequest.of("wrong types", "wrong type " + abbreviate(body), "POST", CONFIG_MAPS, 400, 422)
                    .json(body));
        }
        List<String> patches = List.of(
                "{\"metadata\":{\"labels\":[1]}}",
                "{\"spec\":{\"name\":[]}}",
                "{\"metadata\":{\"name\":5}}",
                "{\"metadata\":{\"resourceVersion\":\"abc\"}}",
                "{\"metadata\":{\"uid\":{}}}",
                "[1,2,3]",
                "\"x\"");
        for (String patch : patches) {
            add(HostileRequest.of("wrong types", "merge patch " + abbreviate(patch), "PATCH", DB, 400, 409, 422)
                    .header("Content-Type", MERGE)
                    .body(patch));
        }
        List<String> jsonPatches = List.of(
                "{\"op\":\"add\"}",
                "[1]",
                "[{\"op\":7,\"path\":\"/a\"}]",
                "[{\"op\":\"add\",\"path\":5,\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/a\"}]",
                "[{\"op\":\"explode\",\"path\":\"/a\"}]",
                "[{\"op\":\"remove\",\"path\":\"/nope\"}]",
                "[{\"op\":\"add\",\"path\":\"no-slash\",\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/99\",\"value\":\"x\"}]",
                "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-1\",\"value\":\"x\"}]",
                "[{\"op\":\"copy\",\"from\":\"/nope\",\"path\":\"/a\"}]",
                "[{\"op\":\"move\",\"from\":\"/metadata\",\"path\":\"/metadata/x\"}]",
                "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"other\"}]",
                "[{\"op\":\"replace\",\"path\":\"\",\"value\":5}]",
                "[{\"op\":\"remove\",\"path\":\"\"}]",
                "[{\"op\":\"add\",\"path\":\"/spec/name\",\"value\":{\"x\":1}}]",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/a~2b\",\"value\":\"x\"},{\"op\":\"add\",\"path\":\"/a/b/c\",\"value\":1}]");
        for (String patch : jsonPatches) {
            add(HostileRequest.of("wrong types", "JSON patch " + abbreviate(patch), "PATCH", DB, 400, 409, 422)
                    .header("Content-Type", JSON_PATCH)
                    .body(patch));
        }
    }

    private static final List<String> MALFORMED_YAML = List.of(
            "apiVersion: [",
            "apiVersion: \"unterminated",
            "a:\n\t- tab indented",
            "key: value\n  bad: indentation",
            "- a\nb: c",
            "a: *undefined",
            "a: &x [*x]",
            "a: !!binary \"%%%\"",
            "a: !unknown-tag 1",
            "<<: {a: 1}",
            "? [complex]\n: key",
            "%YAML 9.9\n---\na: 1",
            "%TAG ! tag:x,2000:\n--- !x\na: 1",
            "a: 1\n---\nb: 2\n...\n---\n[",
            "a: \"\\xZZ\"",
            "{a: 1, a: }",
            "|\n  literal\n bad",
            "a: 1\n\u0001",
            "apiVersion: dbops.dbprovision.io/v1alpha1\nkind: Database\nmetadata: {name: y}\nspec: [1, 2",
            "''''");

    private void malformedYaml() {
        for (String body : MALFORMED_YAML) {
            String what = "malformed YAML " + abbreviate(body);
            // Some are well-formed YAML that no kind accepts (unknown tags, duplicate keys): 400 or 422, never 2xx.
            add(HostileRequest.of("malformed YAML", what, "POST", DBS, 400, 422)
                    .header("Content-Type", "application/yaml")
                    .body(body));
            add(HostileRequest.of("malformed YAML", what, "PATCH", DB + "?fieldManager=hostile", 400, 422)
                    .header("Content-Type", APPLY)
                    .body(body));
        }
        StringBuilder laughs = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            laughs.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                laughs.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            laughs.append("]\n");
        }
        add(HostileRequest.of("amplifying YAML", "billion laughs", "POST", DBS, 400)
                .header("Content-Type", "application/yaml")
                .body(laughs.toString()));
        add(HostileRequest.of("amplifying YAML", "billion laughs applied", "PATCH", DB + "?fieldManager=h", 400)
                .header("Content-Type", APPLY)
                .body(laughs.toString()));
        StringBuilder scalars = new StringBuilder("apiVersion: v1\nkind: Secret\nmetadata: {name: s-y}\n"
                + "stringData:\n  k0: &big \"" + "x".repeat(512 * 1024) + "\"\n");
        for (int i = 1; i < 20_000; i++) {
            scalars.append("  k").append(i).append(": *big\n");
        }
        add(HostileRequest.of("amplifying YAML", "a 512 KiB scalar aliased 20,000 times", "POST", SECRETS, 400)
                .header("Content-Type", "application/yaml")
                .body(scalars.toString()));
        add(HostileRequest.of(
                        "amplifying YAML",
                        "a 512 KiB scalar aliased 20,000 times, applied",
                        "PATCH",
                        SECRET + "?fieldManager=h",
                        400)
                .header("Content-Type", APPLY)
                .body(scalars.toString().replace("s-y", "s1")));
    }

    // ---- sizes and framing

    private void oversizedAndLyingBodies() {
        byte[] huge = new byte[MAX_BODY + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        add(HostileRequest.of("oversized body", "a body of 3 MiB + 1 byte", "POST", DBS, 413)
                .json("")
                .body(huge));
        add(HostileRequest.of("oversized body", "a merge patch of 3 MiB + 1 byte", "PATCH", DB, 413)
                .header("Content-Type", MERGE)
                .body(huge));
        add(HostileRequest.of("oversized body", "a JSON patch of 3 MiB + 1 byte", "PATCH", DB, 413)
                .header("Content-Type", JSON_PATCH)
                .body(huge));
        add(HostileRequest.of("oversized body", "an apply of 3 MiB + 1 byte", "PATCH", DB + "?fieldManager=h", 413)
                .header("Content-Type", APPLY)
                .body(huge));
        add(HostileRequest.of("oversized body", "a PUT of 3 MiB + 1 byte", "PUT", DB, 413)
                .json("")
                .body(huge));
        add(HostileRequest.of("oversized body", "DeleteOptions of 3 MiB + 1 byte", "DELETE", DB, 413)
                .json("")
                .body(huge));
        add(HostileRequest.of("oversized body", "a Content-Length past 64 bits", "POST", DBS, 400)
                .header("Content-Type", "application/json")
                .header("Content-Length", "99999999999999999999")
                .rawFraming()
                .refusedByHttpLayer());
        add(HostileRequest.of("bad content type", "control characters in Content-Type", "POST", DBS, 400)
                .header("Content-Type", "\u0001\u0002")
                .body("{}")
                .refusedByHttpLayer());
        add(HostileRequest.of("oversized body", "a declared Content-Length of 2^63-1", "POST", DBS, 400)
                .header("Content-Type", "application/json")
                .header("Content-Length", Long.toString(Long.MAX_VALUE))
                .rawFraming()
                .refusedByHttpLayer());
        for (long declared : List.of(MAX_BODY + 1L, 16L * 1024 * 1024, 1L << 40, 1L << 50)) {
            add(HostileRequest.of(
                            "oversized body",
                            "a declared Content-Length of " + declared + ", no body sent",
                            "POST",
                            DBS,
                            413)
                    .header("Content-Type", "application/json")
                    .header("Content-Length", Long.toString(declared))
                    .rawFraming());
        }
        add(HostileRequest.of("oversized body", "a declared Content-Length past the limit on a PATCH", "PATCH", DB, 413)
                .header("Content-Type", MERGE)
                .header("Content-Length", Long.toString(MAX_BODY + 10L))
                .rawFraming());
        add(HostileRequest.of(
                        "oversized body",
                        "Expect: 100-continue with a Content-Length past the limit",
                        "POST",
                        DBS,
                        413,
                        417)
                .header("Content-Type", "application/json")
                .header("Expect", "100-continue")
                .header("Content-Length", Long.toString(MAX_BODY * 2L))
                .rawFraming());
        add(HostileRequest.of("oversized body", "chunked past the limit", "POST", DBS, 413)
                .header("Content-Type", "application/json")
                .header("Transfer-Encoding", "chunked")
                .body(chunked(huge, 64 * 1024))
                .rawFraming());
        add(HostileRequest.of("lying body", "a body longer than its Content-Length", "POST", DBS, 400)
                .header("Content-Type", "application/json")
                .header("Content-Length", "10")
                .body("{\"apiVersion\":\"v1\",\"kind\":\"Secret\"}")
                .rawFraming());
        add(HostileRequest.of("lying body", "a merge patch longer than its Content-Length", "PATCH", DB, 400)
                .header("Content-Type", MERGE)
                .header("Content-Length", "5")
                .body("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}")
                .rawFraming());
        // Broken chunked framing: Undertow's parser closes the connection (-1, no answer): with the framing broken
        // there is no telling where an answer would go.
        add(HostileRequest.of("lying body", "chunked with a bad chunk size", "POST", DBS, -1, 400)
                .header("Content-Type", "application/json")
                .header("Transfer-Encoding", "chunked")
                .body("zz\r\n{}\r\n0\r\n\r\n")
                .rawFraming()
                .refusedByHttpLayer());
        add(HostileRequest.of("lying body", "chunked with a chunk longer than declared", "POST", DBS, 400)
                .header("Content-Type", "application/json")
                .header("Transfer-Encoding", "chunked")
                .body("2\r\n{\"apiVersion\":1}\r\n0\r\n\r\n")
                .rawFraming());
        add(HostileRequest.of("lying body", "chunked with a chunk size larger than the limit", "POST", DBS, -1, 413)
                .header("Content-Type", "application/json")
                .header("Transfer-Encoding", "chunked")
                .body("7fffffff\r\n{}")
                .rawFraming()
                .refusedByHttpLayer());
    }

    private void deepNesting() {
        for (int depth : List.of(200, 5_000, 100_000)) {
            String arrays = "[".repeat(depth) + "]".repeat(depth);
            String objects = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            String inSpec = "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\","
                    + "\"metadata\":{\"name\":\"deep\",\"labels\":" + objects + "}}";
            add(HostileRequest.of("deep nesting", depth + " nested arrays", "POST", DBS, 400)
                    .json(arrays));
            add(HostileRequest.of("deep nesting", depth + " nested objects in labels", "POST", DBS, 400)
                    .json(inSpec));
            add(HostileRequest.of("deep nesting", depth + " nested objects in a merge patch", "PATCH", DB, 400)
                    .header("Content-Type", MERGE)
                    .body("{\"metadata\":{\"annotations\":" + objects + "}}"));
            add(HostileRequest.of("deep nesting", depth + " nested arrays in a JSON patch value", "PATCH", DB, 400)
                    .header("Content-Type", JSON_PATCH)
                    .body("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":" + arrays + "}]"));
            add(HostileRequest.of("deep nesting", depth + " nested YAML flow sequences", "POST", DBS, 400)
                    .header("Content-Type", "application/yaml")
                    .body("a: " + arrays));
            add(HostileRequest.of("deep nesting", depth + " nested YAML applied", "PATCH", DB + "?fieldManager=h", 400)
                    .header("Content-Type", APPLY)
                    .body("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: Database\nmetadata: {name: db1}\n"
                            + "spec: " + arrays));
            add(HostileRequest.of("deep nesting", depth + " nested arrays in DeleteOptions", "DELETE", DB, 400)
                    .json("{\"preconditions\":" + arrays + "}"));
        }
        StringBuilder deepPointer = new StringBuilder("[");
        deepPointer
                .append("{\"op\":\"add\",\"path\":\"/metadata/annotations/")
                .append("a/".repeat(10_000))
                .append("\",\"value\":1}]");
        add(HostileRequest.of("deep nesting", "a JSON pointer 10,000 levels deep", "PATCH", DB, 400, 422)
                .header("Content-Type", JSON_PATCH)
                .body(deepPointer.toString()));
    }

    private void amplifyingPatches() {
        // Each copy doubles the annotations: 1 KiB becomes 2^40 KiB in 40 operations of 80 bytes.
        StringBuilder doubling =
                new StringBuilder("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a\":\""
                        + "x".repeat(1024) + "\"}},{\"op\":\"add\",\"path\":\"/spec/x\",\"value\":{}}");
        for (int i = 0; i < 40; i++) {
            doubling.append(",{\"op\":\"copy\",\"from\":\"/metadata/annotations\",\"path\":\"/metadata/annotations/c")
                    .append(i)
                    .append("\"}");
        }
        doubling.append("]");
        add(HostileRequest.of("amplifying patch", "copy doubling the object 40 times", "PATCH", DB, 413, 422)
                .header("Content-Type", JSON_PATCH)
                .body(doubling.toString()));
        StringBuilder wide = new StringBuilder("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a\":\""
                + "x".repeat(256 * 1024) + "\"}}");
        for (int i = 0; i < 2_000; i++) {
            wide.append(",{\"op\":\"copy\",\"from\":\"/metadata/annotations/a\",\"path\":\"/metadata/annotations/b")
                    .append(i)
                    .append("\"}");
        }
        wide.append("]");
        add(HostileRequest.of("amplifying patch", "one 256 KiB value copied 2,000 times", "PATCH", DB, 413, 422)
                .header("Content-Type", JSON_PATCH)
                .body(wide.toString()));
        StringBuilder added = new StringBuilder("[");
        String value = "x".repeat(200);
        for (int i = 0; i < 10_001; i++) {
            added.append(i == 0 ? "" : ",")
                    .append("{\"op\":\"add\",\"path\":\"/metadata/labels/l")
                    .append(i)
                    .append("\",\"value\":\"v\"}");
        }
        added.append("]");
        add(HostileRequest.of("amplifying patch", "10,001 operations", "PATCH", DB, 413, 422)
                .header("Content-Type", JSON_PATCH)
                .body(added.toString()));
        StringBuilder moves = new StringBuilder(
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a\":\"" + value + "\"}}");
        for (int i = 0; i < 60; i++) {
            moves.append(",{\"op\":\"copy\",\"from\":\"/metadata\",\"path\":\"/metadata/annotations/m")
                    .append(i)
                    .append("\"}");
        }
        moves.append("]");
        add(HostileRequest.of("amplifying patch", "the metadata copied into itself 60 times", "PATCH", DB, 413, 422)
                .header("Content-Type", JSON_PATCH)
                .body(moves.toString()));
        add(HostileRequest.of("amplifying patch", "copy of the whole document into itself", "PATCH", DB, 400, 413, 422)
                .header("Content-Type", JSON_PATCH)
                .body("[{\"op\":\"copy\",\"from\":\"\",\"path\":\"/metadata/labels\"}]"));
    }

    private void invalidUtf8() {
        byte[][] bodies = {
            bytes(
                    "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s-u\"},\"stringData\":{\"a\":\""),
        };
        List<byte[]> invalid = List.of(
                new byte[] {(byte) 0xFF},
                new byte[] {(byte) 0xC3, (byte) 0x28},
                new byte[] {(byte) 0xE2, (byte) 0x82},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate encoded as UTF-8
                new byte[] {(byte) 0xC0, (byte) 0xAF}, // an overlong '/'
                new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});
        for (byte[] bad : invalid) {
            String what = "the bytes " + hex(bad);
            add(HostileRequest.of("invalid UTF-8", what + " in a JSON string", "POST", SECRETS, 400)
                    .json("")
                    .body(concat(bodies[0], bad, bytes("\"}}"))));
            add(HostileRequest.of("invalid UTF-8", what + " in a YAML string", "POST", SECRETS, 400)
                    .header("Content-Type", "application/yaml")
                    .body(concat(
                            bytes("apiVersion: v1\nkind: Secret\nmetadata: {name: s-u}\nstringData: {a: \""),
                            bad,
                            bytes("\"}\n"))));
            add(HostileRequest.of("invalid UTF-8", what + " in a merge patch", "PATCH", DB, 400)
                    .header("Content-Type", MERGE)
                    .body(concat(bytes("{\"metadata\":{\"annotations\":{\"a\":\""), bad, bytes("\"}}}"))));
            add(HostileRequest.of("invalid UTF-8", what + " in a JSON patch", "PATCH", DB, 400)
                    .header("Content-Type", JSON_PATCH)
                    .body(concat(
                            bytes("[{\"op\":\"add\",\"path\":\"/metadata/annotations/"),
                            bad,
                            bytes("\",\"value\":\"x\"}]"))));
            add(HostileRequest.of("invalid UTF-8", what + " in an applied YAML", "PATCH", DB + "?fieldManager=h", 400)
                    .header("Content-Type", APPLY)
                    .body(concat(
                            bytes("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: Database\n"
                                    + "metadata: {name: db1, annotations: {a: \""),
                            bad,
                            bytes("\"}}\n"))));
        }
        add(HostileRequest.of("invalid UTF-8", "%FF in a name", "GET", DBS + "/a%FFb", 400));
        add(HostileRequest.of("invalid UTF-8", "%C3%28 in a name", "GET", DBS + "/a%C3%28", 400));
        add(HostileRequest.of("invalid UTF-8", "%ED%A0%80 in a name", "DELETE", DBS + "/%ED%A0%80", 400));
        add(HostileRequest.of("invalid UTF-8", "%FF in a namespace", "GET", GV + "/namespaces/%FF/databases", 400));
        add(HostileRequest.of("invalid UTF-8", "%FF in a label selector", "GET", DBS + "?labelSelector=a%3D%FF", 400));
        add(HostileRequest.of(
                "invalid UTF-8", "%FF in a field selector", "GET", DBS + "?fieldSelector=spec.name%3D%FF", 400));
        add(HostileRequest.of("invalid UTF-8", "%FF in a fieldManager", "POST", DBS + "?fieldManager=%FF", 400, 422)
                .json("{}"));
        add(HostileRequest.of("invalid UTF-8", "%FF in a continue token", "GET", DBS + "?limit=1&continue=%FF", 400));
        add(HostileRequest.of("invalid UTF-8", "raw 0xFF in the request target", "GET", DBS + "/a\u00FFb", 400)
                .refusedByHttpLayer());
    }

    // ---- media types

    private void badContentTypes() {
        String db = "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",\"metadata\":"
                + "{\"name\":\"ct\"},\"spec\":{\"instanceRef\":{\"name\":\"pg\"},\"name\":\"ct\"}}";
        List<String> types = List.of(
                "text/plain",
                "application/xml",
                "text/html; charset=utf-8",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "application/octet-stream",
                "application/vnd.kubernetes.protobuf",
                "application/cbor",
                "application/json-patch+json",
                "application/merge-patch+json",
                "application/apply-patch+yaml",
                ";;;",
                "/",
                "application/",
                "*/*",
                "application/jsonx",
                "application/json\u00FF");
        for (String type : types) {
            add(HostileRequest.of("bad content type", "Content-Type " + abbreviate(type), "POST", DBS, 415)
                    .header("Content-Type", type)
                    .body(db));
            add(HostileRequest.of("bad content type", "Content-Type " + abbreviate(type), "PUT", DB, 415)
                    .header("Content-Type", type)
                    .body(db));
        }
        for (String type : List.of(
                "application/json",
                "text/plain",
                "application/yaml",
                "application/strategic-merge-patch+json",
                "application/apply-patch+json",
                ";",
                "",
                "application/merge-patch+json\u00FF")) {
            add(HostileRequest.of("bad content type", "PATCH with Content-Type " + abbreviate(type), "PATCH", DB, 415)
                    .header("Content-Type", type)
                    .body("{}"));
        }
    }

    private void badAccept() {
        List<String> accepts = List.of(
                "text/html",
                "application/xml",
                "image/png",
                "application/json;as=Garbage",
                "application/json;as=Table;g=wrong.io;v=v1",
                "application/json;as=Table",
                "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v9",
                "application/vnd.kubernetes.protobuf",
                ";;;",
                ",,,",
                "application/json;as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2",
                "*/json",
                "application/\u00FF",
                "text/*");
        for (String accept : accepts) {
            add(HostileRequest.of("bad Accept", "Accept " + abbreviate(accept), "GET", DB, 406)
                    .header("Accept", accept));
            add(HostileRequest.of("bad Accept", "Accept " + abbreviate(accept), "GET", DBS, 406)
                    .header("Accept", accept));
        }
        add(HostileRequest.of("bad Accept", "Accept text/html for discovery", "GET", "/apis", 406)
                .header("Accept", "text/html"));
        add(HostileRequest.of("bad Accept", "Accept text/html for a watch", "GET", DBS + "?watch=true", 406)
                .header("Accept", "text/html"));
    }

    // ---- paths and queries

    private void pathTraversal() {
        List<String> names = List.of(
                "..",
                ".",
                "%2e%2e",
                "%2E",
                "..%2F..%2Fsecrets",
                "a%2Fb",
                "%2F",
                "a%00b",
                "%00",
                "a%0Ab",
                "a%0D%0AX-Injected:%201",
                "a%25b",
                "a%252Fb",
                "x".repeat(254),
                "a%09b",
                "a%7Fb");
        for (String name : names) {
            String what = "name " + abbreviate(name);
            add(HostileRequest.of("path traversal", what, "GET", DBS + "/" + name, 400));
            add(HostileRequest.of("path traversal", what, "DELETE", DBS + "/" + name, 400));
            add(HostileRequest.of("path traversal", what, "PATCH", DBS + "/" + name, 400)
                    .header("Content-Type", MERGE)
                    .body("{}"));
            add(HostileRequest.of("path traversal", what, "GET", "/api/v1/namespaces/" + name + "/secrets", 400));
        }
        add(HostileRequest.of("path traversal", "a namespace named ..", "GET", "/api/v1/namespaces/..", 400));
        add(HostileRequest.of(
                "path traversal",
                "a namespace of 254 characters",
                "GET",
                "/api/v1/namespaces/" + "n".repeat(254),
                400));
        add(HostileRequest.of("path traversal", "a status of a name ..", "GET", DBS + "/../status", 400));
        add(HostileRequest.of(
                "path traversal",
                "dot segments before the group",
                "GET",
                "/apis/../api/v1/namespaces/hostile/secrets",
                404));
        add(HostileRequest.of("path traversal", "a backslash path", "GET", "/apis\\dbops.dbprovision.io", 400)
                .refusedByHttpLayer());
        add(HostileRequest.of("path traversal", "an unknown group", "GET", "/apis/evil.io/v1/things", 404));
        add(HostileRequest.of(
                "path traversal", "an unknown version", "GET", GV.replace("v1alpha1", "v9") + "/databases", 404));
        add(HostileRequest.of(
                "path traversal", "an unknown resource", "GET", GV + "/namespaces/hostile/nothings", 404));
        add(HostileRequest.of("path traversal", "an unknown subresource", "GET", DB + "/exec", 404));
        add(HostileRequest.of("path traversal", "a path past the subresource", "GET", DB + "/status/more", 404));
        add(HostileRequest.of(
                        "path traversal",
                        "the namespace finalize subresource",
                        "PUT",
                        "/api/v1/namespaces/hostile/finalize",
                        404)
                .json("{}"));
        add(HostileRequest.of("path traversal", "a non-resource path", "GET", "/etc/passwd", 404));
        add(HostileRequest.of("path traversal", "a non-resource path with dots", "GET", "/../../etc/passwd", 404));
        add(HostileRequest.of(
                "path traversal", "the OpenAPI of an unknown group", "GET", "/openapi/v3/apis/evil/v1", 404));
    }

    private void unparsableQueries() {
        List<String[]> lists = List.of(
                new String[] {"limit=abc", "400"},
                new String[] {"limit=-1", "400"},
                new String[] {"limit=1.5", "400"},
                new String[] {"limit=99999999999999999999", "400"},
                new String[] {"timeoutSeconds=-1", "400"},
                new String[] {"timeoutSeconds=x", "400"},
                new String[] {"watch=maybe", "400"},
                new String[] {"watch=2", "400"},
                new String[] {"resourceVersion=abc", "400"},
                new String[] {"resourceVersion=-5", "400"},
                new String[] {"resourceVersion=1.5", "400"},
                new String[] {"resourceVersion=99999999999999999999", "400"},
                new String[] {"resourceVersion=1&resourceVersionMatch=Bogus", "422"},
                new String[] {"resourceVersionMatch=Exact", "422"},
                new String[] {"resourceVersion=0&resourceVersionMatch=Exact", "422"},
                new String[] {"continue=garbage", "400"},
                new String[] {"continue=eyJ2IjoxfQ", "400"},
                new String[] {"labelSelector=a%20b%20c", "400"},
                new String[] {"labelSelector=%3Dx", "400"},
                new String[] {"labelSelector=!!", "400"},
                new String[] {"labelSelector=a+in+(b", "400"},
                new String[] {"labelSelector=" + "a".repeat(70) + "=b", "400"},
                new String[] {"fieldSelector=unknown%3Dx", "400"},
                new String[] {"fieldSelector=a", "400"},
                new String[] {"fieldSelector=metadata.name%3D%3D%3D", "400"},
                new String[] {"allowWatchBookmarks=x&watch=true", "400"},
                new String[] {"sendInitialEvents=x&watch=true", "400"},
                new String[] {"sendInitialEvents=true", "422"},
                new String[] {"includeObject=x", "400"},
                new String[] {"watch=true&timeoutSeconds=abc", "400"},
                new String[] {"watch=true&resourceVersion=abc", "400"},
                new String[] {"watch=true&sendInitialEvents=true", "422"});
        for (String[] query : lists) {
            int code = Integer.parseInt(query[1]);
            add(HostileRequest.of("unparsable query", "list with " + query[0], "GET", DBS + "?" + query[0], code)
                    .header(
                            "Accept",
                            query[0].startsWith("includeObject")
                                    ? "application/json;as=Table;g=meta.k8s.io;v=v1"
                                    : "application/json"));
            add(HostileRequest.of(
                            "unparsable query",
                            "cluster-wide list with " + query[0],
                            "GET",
                            GV + "/databases?" + query[0],
                            code)
                    .header(
                            "Accept",
                            query[0].startsWith("includeObject")
                                    ? "application/json;as=Table;g=meta.k8s.io;v=v1"
                                    : "application/json"));
        }
        List<String[]> writes = List.of(
                new String[] {"POST", DBS, "dryRun=x", "400"},
                new String[] {"POST", DBS, "dryRun=all", "400"},
                new String[] {"POST", DBS, "fieldManager=%01", "422"},
                new String[] {"POST", DBS, "fieldManager=" + "m".repeat(129), "422"},
                new String[] {"POST", DBS, "fieldValidation=x", "400"},
                new String[] {"PUT", DB, "fieldManager=a%0Ab", "422"},
                new String[] {"PUT", DB, "dryRun=Everything", "400"},
                new String[] {"PATCH", DB, "force=maybe", "400"},
                new String[] {"PATCH", DB, "dryRun=maybe", "400"},
                new String[] {"PATCH", DB, "fieldManager=%7F", "422"},
                new String[] {"DELETE", DB, "propagationPolicy=x", "400"},
                new String[] {"DELETE", DB, "gracePeriodSeconds=x", "400"},
                new String[] {"DELETE", DB, "gracePeriodSeconds=-5", "400"},
                new String[] {"DELETE", DB, "orphanDependents=maybe", "400"},
                new String[] {"DELETE", DB, "dryRun=x", "400"},
                new String[] {"DELETE", DBS, "labelSelector=!!", "400"},
                new String[] {"DELETE", DBS, "propagationPolicy=Sideways", "400"},
                new String[] {"DELETE", DBS, "limit=abc", "400"});
        for (String[] write : writes) {
            HostileRequest request = HostileRequest.of(
                    "unparsable query",
                    write[0] + " with " + abbreviate(write[2]),
                    write[0],
                    write[1] + "?" + write[2],
                    Integer.parseInt(write[3]));
            if (write[0].equals("PATCH")) {
                request = request.header("Content-Type", MERGE).body("{}");
            } else if (!write[0].equals("DELETE")) {
                request = request.json(
                        "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\","
                                + "\"metadata\":{\"name\":\"db1\"},\"spec\":{\"instanceRef\":{\"name\":\"pg\"},\"name\":\"d\"}}");
            }
            add(request);
        }
        add(HostileRequest.of(
                        "unparsable query",
                        "a malformed percent escape in the query",
                        "GET",
                        DBS + "?labelSelector=%zz",
                        400)
                .refusedByHttpLayer());
        add(HostileRequest.of(
                        "unparsable query",
                        "a truncated percent escape in the query",
                        "GET",
                        DBS + "?labelSelector=a%3",
                        400)
                .refusedByHttpLayer());
        add(HostileRequest.of(
                "unparsable query",
                "a watch with a field selector of an unknown field",
                "GET",
                DBS + "?watch=1&fieldSelector=spec.password%3Dx",
                400));
        add(HostileRequest.of("unparsable query", "propagationPolicy=x in DeleteOptions", "DELETE", DB, 400)
                .json("{\"propagationPolicy\":\"x\"}"));
        add(HostileRequest.of("unparsable query", "dryRun with a bad value in DeleteOptions", "DELETE", DB, 400)
                .json("{\"dryRun\":[\"Nope\"]}"));
        add(HostileRequest.of("unparsable query", "DeleteOptions with a wrong type", "DELETE", DB, 400)
                .json("{\"gracePeriodSeconds\":\"soon\"}"));
        add(HostileRequest.of("unparsable query", "DeleteOptions preconditions of a wrong type", "DELETE", DB, 400)
                .json("{\"preconditions\":{\"uid\":5}}"));
    }

    private void wrongScope() {
        String dbBody = "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",\"metadata\":"
                + "{\"name\":\"scoped\"},\"spec\":{\"instanceRef\":{\"name\":\"pg\"},\"name\":\"scoped\"}}";
        String secretBody = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"scoped\"}}";
        // namespaced kinds at the cluster-wide path: it lists and watches, nothing else
        add(HostileRequest.of("wrong scope", "create a Database with no namespace", "POST", GV + "/databases", 405)
                .json(dbBody));
        // path parameters: Undertow strips ";x" from a segment, the kube-apiserver keeps it (an unknown resource,
        // object or version; a namespace "hostile;x" is a valid path segment there and lists nothing, as here)
        for (String path : List.of(
                DBS + ";x",
                DB + ";x",
                SECRETS + ";a=b",
                "/apis/dbops.dbprovision.io/v1alpha1;x/namespaces/" + NS + "/databases")) {
            add(HostileRequest.of("path parameters", "GET " + path, "GET", path, 404));
        }
        // a malformed escape after the ";" never reaches the API (Undertow's parser: bare 400); one that is not UTF-8
        // reaches it and is a malformed name, 400, not a lookup
        for (String path : List.of(DBS + ";x%zz", DBS + ";%")) {
            add(HostileRequest.of("path parameters", "GET " + path, "GET", path, 400)
                    .refusedByHttpLayer());
        }
        add(HostileRequest.of("path parameters", "a ;param that is not UTF-8", "GET", DB + "%3B;x%C3%28", 400));
        add(HostileRequest.of("path parameters", "POST to a collection with ;x", "POST", DBS + ";x", 404)
                .json("{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\","
                        + "\"metadata\":{\"name\":\"semi\"}}"));
        add(HostileRequest.of("wrong scope", "create a Secret with no namespace", "POST", "/api/v1/secrets", 405)
                .json(secretBody));
        add(HostileRequest.of(
                        "wrong scope",
                        "create a Secret naming its namespace, at the cluster path",
                        "POST",
                        "/api/v1/secrets",
                        405)
                .json(secretBody.replace("\"name\":\"scoped\"", "\"name\":\"scoped\",\"namespace\":\"hostile\"")));
        add(HostileRequest.of("wrong scope", "PUT on the cluster-wide collection", "PUT", GV + "/databases", 405)
                .json(dbBody));
        add(HostileRequest.of("wrong scope", "PATCH on the cluster-wide collection", "PATCH", "/api/v1/secrets", 405)
                .header("Content-Type", MERGE)
                .body("{}"));
        add(HostileRequest.of(
                "wrong scope", "delete every Secret of every namespace", "DELETE", "/api/v1/secrets", 405));
        add(HostileRequest.of(
                "wrong scope", "delete every Database of every namespace", "DELETE", GV + "/databases", 405));
        for (String method : List.of("GET", "PUT", "PATCH", "DELETE")) {
            HostileRequest named = HostileRequest.of(
                    "wrong scope", method + " a named Database with no namespace", method, GV + "/databases/db1", 404);
            HostileRequest secret = HostileRequest.of(
                    "wrong scope", method + " a named Secret with no namespace", method, "/api/v1/secrets/s1", 404);
            HostileRequest status = HostileRequest.of(
                    "wrong scope", method + " a status with no namespace", method, GV + "/databases/db1/status", 404);
            if (method.equals("PATCH")) {
                named = named.header("Content-Type", MERGE).body("{}");
                secret = secret.header("Content-Type", MERGE).body("{}");
                status = status.header("Content-Type", MERGE).body("{}");
            } else if (method.equals("PUT")) {
                named = named.json(dbBody);
                secret = secret.json(secretBody);
                status = status.json(dbBody);
            }
            add(named);
            add(secret);
            add(status);
        }
        add(HostileRequest.of(
                "wrong scope",
                "watch a named Database with no namespace",
                "GET",
                GV + "/databases/db1?watch=true",
                404));
        // cluster-scoped kinds under a namespace
        for (String method : List.of("GET", "POST", "DELETE")) {
            add(HostileRequest.of(
                            "wrong scope",
                            method + " cluster-scoped instances under a namespace",
                            method,
                            GV + "/namespaces/hostile/clusterdatabaseinstances",
                            404)
                    .json(method.equals("POST") ? "{}" : ""));
            add(HostileRequest.of(
                            "wrong scope",
                            method + " namespaces under a namespace",
                            method,
                            "/api/v1/namespaces/hostile/namespaces",
                            404)
                    .json(method.equals("POST") ? "{}" : ""));
        }
        add(HostileRequest.of(
                "wrong scope",
                "GET a named cluster-scoped instance under a namespace",
                "GET",
                GV + "/namespaces/hostile/clusterdatabaseinstances/x",
                404));
        // verbs a path does not serve
        add(HostileRequest.of("wrong scope", "POST to a named object", "POST", DB, 405)
                .json(dbBody));
        add(HostileRequest.of("wrong scope", "POST to a status", "POST", DB + "/status", 405)
                .json(dbBody));
        add(HostileRequest.of("wrong scope", "PUT on a collection", "PUT", DBS, 405)
                .json(dbBody));
        add(HostileRequest.of("wrong scope", "PATCH on a collection", "PATCH", DBS, 405)
                .header("Content-Type", MERGE)
                .body("{}"));
        add(HostileRequest.of("wrong scope", "apply on a collection", "PATCH", DBS + "?fieldManager=h", 405)
                .header("Content-Type", APPLY)
                .body("{}"));
        add(HostileRequest.of("wrong scope", "DELETE a status", "DELETE", DB + "/status", 405));
        add(HostileRequest.of("wrong scope", "watch a status", "GET", DB + "/status?watch=true", 405));
        add(HostileRequest.of("wrong scope", "PUT on a Secret collection", "PUT", SECRETS, 405)
                .json(secretBody));
        add(HostileRequest.of("wrong scope", "POST to a named Secret", "POST", SECRET, 405)
                .json(secretBody));
        add(HostileRequest.of("wrong scope", "delete every namespace", "DELETE", "/api/v1/namespaces", 405));
        for (String method : List.of("OPTIONS", "TRACE", "CONNECT", "PROPFIND", "FOO", "get")) {
            add(HostileRequest.of("wrong scope", "the method " + method + " on an object", method, DB, 405));
        }
        add(HostileRequest.of("wrong scope", "POST to /version", "POST", "/version", 405)
                .json("{}"));
        add(HostileRequest.of("wrong scope", "DELETE /apis", "DELETE", "/apis", 405));
        add(HostileRequest.of("wrong scope", "PUT to a group's discovery", "PUT", GV, 405)
                .json("{}"));
        add(HostileRequest.of("wrong scope", "POST to the OpenAPI", "POST", "/openapi/v2", 405)
                .json("{}"));
    }

    // ---- headers

    private void headerAbuse() {
        add(HostileRequest.of("header abuse", "two Authorization headers", "GET", DB, 400)
                .header("Authorization", "Bearer first")
                .header("Authorization", "Bearer second"));
        add(HostileRequest.of("header abuse", "two Content-Type headers", "POST", DBS, 400)
                .header("Content-Type", "application/json")
                .header("Content-Type", "application/yaml")
                .body("{}"));
        add(HostileRequest.of("header abuse", "no credentials", "GET", DB, 401).header("X-No-Auth", "1"));
        add(HostileRequest.of("header abuse", "an empty bearer token", "GET", DB, 401)
                .header("Authorization", "Bearer "));
        add(HostileRequest.of("header abuse", "a wrong token", "GET", DB, 401)
                .header("Authorization", "Bearer not-the-token"));
        add(HostileRequest.of("header abuse", "basic credentials", "GET", DB, 401)
                .header("Authorization", "Basic YWRtaW46YWRtaW4="));
        add(HostileRequest.of("header abuse", "a 64 KiB token", "GET", DB, 401)
                .header("Authorization", "Bearer " + "t".repeat(64 * 1024)));
        add(HostileRequest.of("header abuse", "a token with invalid UTF-8", "GET", DB, 401)
                .header("Authorization", "Bearer \u00FF\u00FE"));
        add(HostileRequest.of("header abuse", "a token with control characters", "GET", DB, 400)
                .header("Authorization", "Bearer a\u0001b")
                .refusedByHttpLayer());
        add(HostileRequest.of("header abuse", "a malformed request unauthenticated", "POST", DBS, 401)
                .header("X-No-Auth", "1")
                .json("{"));
        add(HostileRequest.of("header abuse", "a path traversal unauthenticated", "GET", DBS + "/..", 401)
                .header("X-No-Auth", "1"));
        add(HostileRequest.of("header abuse", "an oversized body unauthenticated", "POST", DBS, 401, 413)
                .header("X-No-Auth", "1")
                .header("Content-Type", "application/json")
                .header("Content-Length", Long.toString(MAX_BODY * 4L))
                .rawFraming());
        add(HostileRequest.of("header abuse", "impersonating a group without a user", "GET", DB, 400, 403)
                .header("Impersonate-Group", "system:masters"));
        add(HostileRequest.of("header abuse", "impersonating an empty user", "GET", DB, 400, 403)
                .header("Impersonate-User", ""));
        add(HostileRequest.of(
                        "header abuse", "impersonating a user with invalid UTF-8", "DELETE", DB + "x", 400, 403, 404)
                .header("Impersonate-User", "\u00FF\u00FE"));
        // Past Undertow's header limits (1 MiB of headers, 200 of them, as Go's 1 MiB default): refused by the parser.
        add(HostileRequest.of("header abuse", "a header of 2 MiB", "GET", DB, -1, 400, 431)
                .header("X-Huge", "h".repeat(2 * 1024 * 1024))
                .refusedByHttpLayer());
        HostileRequest many = HostileRequest.of("header abuse", "300 headers", "GET", DB, -1, 400, 431)
                .refusedByHttpLayer();
        for (int i = 0; i < 300; i++) {
            many = many.header("X-Many-" + i, "v");
        }
        add(many);
        add(HostileRequest.of("header abuse", "an Accept of 100 KiB", "GET", DB, 406)
                .header("Accept", "text/html,".repeat(10_000)));
        add(HostileRequest.of("header abuse", "a Content-Type of 100 KiB", "POST", DBS, 415, 422)
                .header("Content-Type", "application/json;" + "p=v;".repeat(25_000))
                .body("{}"));
        add(HostileRequest.of("header abuse", "an Accept with broken quoting", "GET", DB, 406)
                .header("Accept", "application/json;as=\"Table;g=meta.k8s.io;v=v1"));
        add(HostileRequest.of("header abuse", "a Content-Type with broken quoting", "POST", DBS, 415)
                .header("Content-Type", "application/json\";charset=\"")
                .body("{}"));
        add(HostileRequest.of("header abuse", "Transfer-Encoding gzip", "POST", DBS, 400, 501)
                .header("Content-Type", "application/json")
                .header("Transfer-Encoding", "gzip")
                .body("{}")
                .rawFraming());
    }

    // ---- helpers

    private static byte[] chunked(byte[] body, int size) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int offset = 0; offset < body.length; offset += size) {
            int length = Math.min(size, body.length - offset);
            out.writeBytes(bytes(Integer.toHexString(length) + "\r\n"));
            out.write(body, offset, length);
            out.writeBytes(bytes("\r\n"));
        }
        out.writeBytes(bytes("0\r\n\r\n"));
        return out.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(out.isEmpty() ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        return out.toString();
    }

    static String abbreviate(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 50 ? printable.substring(0, 50) + "…(" + text.length() + " chars)" : printable;
    }
}
