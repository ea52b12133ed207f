package io.dbprovision.apiserver.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One request of the hostile corpus, written byte for byte, with the answer expected: the codes acceptable (all 4xx)
 * and whether the answer is a Kubernetes {@code Status}. Headers and the request target are Latin-1 strings, so that
 * any byte (invalid UTF-8 included) can be written; by default the admin's token is sent and the connection closed.
 */
record HostileRequest(
        String category,
        String description,
        String method,
        String target,
        List<String[]> headers,
        byte[] body,
        boolean withContentLength,
        Set<Integer> expected,
        boolean httpLayer) {

    static HostileRequest of(String category, String description, String method, String target, int... expected) {
        Set<Integer> codes = new java.util.TreeSet<>();
        for (int code : expected) {
            codes.add(code);
        }
        return new HostileRequest(
                category, description, method, target, List.of(), new byte[0], true, Set.copyOf(codes), false);
    }

    HostileRequest header(String name, String value) {
        List<String[]> more = new ArrayList<>(headers);
        more.add(new String[] {name, value});
        return new HostileRequest(
                category, description, method, target, more, body, withContentLength, expected, httpLayer);
    }

    HostileRequest body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    HostileRequest body(byte[] bytes) {
        return new HostileRequest(
                category, description, method, target, headers, bytes, withContentLength, expected, httpLayer);
    }

    HostileRequest json(String text) {
        return header("Content-Type", "application/json").body(text);
    }

    /** Sends the headers as given, without adding a Content-Length (for chunked or lying framing). */
    HostileRequest rawFraming() {
        return new HostileRequest(category, description, method, target, headers, body, false, expected, httpLayer);
    }

    /**
     * Marks a request that does not parse as HTTP (a malformed escape in its target, a control character in a
     * header): Undertow's parser answers it with a bare 400 and closes the connection before any handler runs, so no
     * Status can be sent, as Go's net/http answers the kube-apiserver's. It never reaches the API.
     */
    HostileRequest refusedByHttpLayer() {
        return new HostileRequest(
                category, description, method, target, headers, body, withContentLength, expected, true);
    }

    boolean hasHeader(String name) {
        return headers.stream().anyMatch(h -> h[0].equalsIgnoreCase(name));
    }

    byte[] bytes(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: 127.0.0.1\r\n");
        if (!hasHeader("Authorization") && !hasHeader("X-No-Auth")) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        head.append("Connection: close\r\n");
        if (withContentLength
                && (body.length > 0 || method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        for (String[] header : headers) {
            if (!header[0].equals("X-No-Auth")) {
                head.append(header[0]).append(": ").append(header[1]).append("\r\n");
            }
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return category + ": " + description + " (" + method + " " + shortTarget() + ")";
    }

    private String shortTarget() {
        String printable = target.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 90 ? printable.substring(0, 90) + "…" : printable;
    }
}
