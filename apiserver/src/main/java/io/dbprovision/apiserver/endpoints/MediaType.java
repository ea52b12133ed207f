package io.dbprovision.apiserver.endpoints;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One media type of an Accept or Content-Type header, with its parameters ({@code application/json;as=Table;g=...}). */
public record MediaType(String type, String subtype, Map<String, String> parameters) {

    public static final MediaType JSON = new MediaType("application", "json", Map.of());

    public String essence() {
        return type + "/" + subtype;
    }

    public String parameter(String name) {
        return parameters.getOrDefault(name, "");
    }

    public boolean isJsonLike() {
        return (type.equals("application") || type.equals("*")) && (subtype.equals("json") || subtype.equals("*"))
                || type.equals("*") && subtype.equals("*");
    }

    /**
     * Parses one media type. Never fails: text that is not {@code type/subtype} (garbage, an empty type, characters
     * outside HTTP's token alphabet) gives a type that matches nothing, so that it is refused as unsupported (415) or
     * not acceptable (406) by whoever asked, never as a server error.
     */
    public static MediaType parse(String text) {
        String[] parts = text.split(";", -1);
        String essence = parts.length == 0 ? "" : parts[0].trim().toLowerCase(Locale.ROOT);
        int slash = essence.indexOf('/');
        String type = slash < 0 ? essence : essence.substring(0, slash);
        String subtype = slash < 0 ? "*" : essence.substring(slash + 1);
        if (!isToken(type) || !isToken(subtype)) {
            return UNPARSABLE;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                String value = parts[i].substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                parameters.put(parts[i].substring(0, eq).trim().toLowerCase(Locale.ROOT), value);
            }
        }
        return new MediaType(type, subtype, Map.copyOf(parameters));
    }

    /** What unparsable text reads as: a type no endpoint serves or accepts. */
    static final MediaType UNPARSABLE = new MediaType("invalid", "invalid", Map.of());

    /**
     * What a type or subtype may be spelled with: visible ASCII but the separators of the header's own syntax. Wider
     * than RFC 9110's token, because Kubernetes' own types are not tokens
     * ({@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}, which kubectl asks for).
     */
    private static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7F || "/;,\"=()<>[]{}\\?".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** The media types of an Accept header, in the order the client listed them (q-values are not used by kubectl). */
    public static List<MediaType> parseList(String header) {
        List<MediaType> out = new ArrayList<>();
        if (header == null || header.isBlank()) {
            out.add(new MediaType("*", "*", Map.of()));
            return out;
        }
        for (String part : splitOutsideQuotes(header)) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        return out;
    }

    private static List<String> splitOutsideQuotes(String header) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
