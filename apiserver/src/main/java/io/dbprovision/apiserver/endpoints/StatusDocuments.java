package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.apiserver.registry.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Kubernetes {@code Status} objects: every error the API answers, and the success of some deletes. */
final class StatusDocuments {
    private StatusDocuments() {}

    static Map<String, Object> failure(ApiException error) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", error.getMessage());
        status.put("reason", error.reason());
        Map<String, Object> details = new LinkedHashMap<>();
        ApiException.Subject subject = error.subject();
        if (!subject.name().isEmpty()) {
            details.put("name", subject.name());
        }
        if (!subject.group().isEmpty()) {
            details.put("group", subject.group());
        }
        if (!subject.resource().isEmpty()) {
            details.put("kind", subject.resource());
        }
        if (error instanceof ApiException.Invalid invalid) {
            List<Map<String, Object>> causes = new ArrayList<>();
            for (FieldError fieldError : invalid.errors()) {
                Map<String, Object> cause = new LinkedHashMap<>();
                cause.put("reason", fieldError.type().reason());
                cause.put("message", fieldError.message());
                cause.put("field", fieldError.path().toString());
                causes.add(cause);
            }
            details.put("causes", causes);
        }
        if (error instanceof ApiException.ApplyConflict conflict) {
            List<Map<String, Object>> causes = new ArrayList<>();
            for (ApiException.ApplyConflict.Cause cause : conflict.causes()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("reason", cause.reason());
                entry.put("message", cause.message());
                entry.put("field", cause.field());
                causes.add(entry);
            }
            details.put("causes", causes);
        }
        if (error instanceof ApiException.TooLargeResourceVersion) {
            details.put(
                    "causes",
                    List.of(Map.of("reason", "ResourceVersionTooLarge", "message", "Too large resource version")));
        }
        if (error.retryAfterSeconds() > 0) {
            details.put("retryAfterSeconds", error.retryAfterSeconds());
        }
        if (!details.isEmpty()) {
            status.put("details", details);
        }
        status.put("code", error.code());
        return status;
    }

    static Map<String, Object> success(String group, String resource, String name, String uid) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Success");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", name);
        details.put("group", group);
        details.put("kind", resource);
        details.put("uid", uid);
        status.put("details", details);
        return status;
    }
}
