package io.dbprovision.apiserver.auth.delegated;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.apiserver.auth.CaBundle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the kube-apiserver publishes in the {@code kube-system/extension-apiserver-authentication} ConfigMap for
 * the API servers it fronts: the cluster's client CA ({@code client-ca-file}) and the front proxy's request-header
 * configuration ({@code requestheader-*}, each list a JSON array of strings). One immutable snapshot per version of
 * the ConfigMap.
 */
public record ClusterAuthenticationConfig(Optional<CaBundle> clientCa, Optional<RequestHeaderConfig> requestHeader) {
    public static final String NAMESPACE = "kube-system";
    public static final String NAME = "extension-apiserver-authentication";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Nothing published: no client CA and no front proxy, so only bearer tokens authenticate. */
    public static ClusterAuthenticationConfig none() {
        return new ClusterAuthenticationConfig(Optional.empty(), Optional.empty());
    }

    /**
     * Reads the ConfigMap's data. A missing {@code requestheader-client-ca-file} means no front proxy, as in
     * k8s.io/apiserver; a malformed value is an error (the caller keeps what it had).
     */
    public static ClusterAuthenticationConfig fromConfigMapData(Map<String, String> data) {
        Map<String, String> values = data == null ? Map.of() : data;
        Optional<CaBundle> clientCa = Optional.ofNullable(values.get("client-ca-file"))
                .filter(pem -> !pem.isBlank())
                .map(pem -> parse("client-ca-file", pem));
        Optional<RequestHeaderConfig> requestHeader = Optional.empty();
        String requestHeaderCa = values.get("requestheader-client-ca-file");
        if (requestHeaderCa != null && !requestHeaderCa.isBlank()) {
            requestHeader = Optional.of(new RequestHeaderConfig(
                    parse("requestheader-client-ca-file", requestHeaderCa),
                    stringArray(values, "requestheader-allowed-names"),
                    stringArray(values, "requestheader-username-headers"),
                    stringArray(values, "requestheader-uid-headers"),
                    stringArray(values, "requestheader-group-headers"),
                    stringArray(values, "requestheader-extra-headers-prefix")));
        }
        return new ClusterAuthenticationConfig(clientCa, requestHeader);
    }

    private static CaBundle parse(String key, String pem) {
        try {
            return CaBundle.parsePem(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static List<String> stringArray(Map<String, String> data, String key) {
        String raw = data.get(key);
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        try {
            JsonNode node = JSON.readTree(raw);
            if (node == null || !node.isArray()) {
                throw new IllegalArgumentException(key + " is not a JSON array of strings");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode element : node) {
                if (!element.isTextual()) {
                    throw new IllegalArgumentException(key + " is not a JSON array of strings");
                }
                out.add(element.asText());
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(key + " is not a JSON array of strings");
        }
    }
}
