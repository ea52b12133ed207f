package io.dbprovision.apiserver.corev1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.apiserver.registry.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where the kube-apiserver's failures, as client-java reports them, become the registry's
 * {@link ApiException}s, so that a reconciler handles a Secret that is missing or changed the same way in both modes.
 * The codes are read from the HTTP status and the {@code Status} body, never from client-java's exception message,
 * which quotes whole response bodies; and an answer client-java could not read is reported without its text, since
 * that text may be a Secret.
 */
final class KubeErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How much of a Status message is kept: enough to say what happened, not a page of someone's body. */
    private static final int MAX_MESSAGE = 1024;

    /** What the errors are about: the core resource and its kind, such as {@code secrets} and {@code Secret}. */
    record Resource(String plural, String kind) {
        static final Resource SECRETS = new Resource("secrets", "Secret");
        static final Resource CONFIG_MAPS = new Resource("configmaps", "ConfigMap");
        static final Resource EVENTS = new Resource("events", "Event");
    }

    private KubeErrors() {}

    static ApiException translate(io.kubernetes.client.openapi.ApiException e, Resource resource, String name) {
        ApiException.Subject subject = new ApiException.Subject("", resource.plural(), name);
        int code = e.getCode();
        if (code == 0) {
            // no HTTP answer: connection refused, reset, TLS failure, timeout
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new ApiException.Unavailable(
                    "the kube-apiserver cannot be reached: " + cause.getClass().getSimpleName()
                            + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
                    cause);
        }
        JsonNode status = status(e.getResponseBody());
        String reason = status.path("reason").asText("");
        String message = message(status, code);
        return switch (code) {
            case 400 -> new ApiException.BadRequest(message);
            case 401 -> new ApiException.Unauthorized(message);
            case 403 -> new ApiException.Forbidden(message);
            case 404 -> new ApiException.NotFound(subject);
            case 405 -> new ApiException.MethodNotAllowed(message);
            case 406 -> new ApiException.NotAcceptable(message);
            case 408 -> new ApiException.RequestTimeout(message);
            case 409 ->
                reason.equals("AlreadyExists")
                        ? new ApiException.AlreadyExists(subject)
                        : new ApiException.Conflict(subject, conflictDetail(message));
            case 410 -> new ApiException.Expired(message);
            case 413 -> new ApiException.RequestEntityTooLarge(message);
            case 415 -> new ApiException.UnsupportedMediaType(message);
            case 422 -> new ApiException.Invalid("", resource.kind(), name, fieldErrors(status, message));
            case 429 -> new ApiException.TooManyRequests(message);
            case 500 -> new ApiException.Internal("the kube-apiserver failed: " + message, null);
            case 504 -> new ApiException.Timeout(message);
            default ->
                code >= 500
                        ? new ApiException.Unavailable(
                                "the kube-apiserver answered HTTP " + code + ": " + message, null)
                        : new ApiException.Internal("the kube-apiserver answered HTTP " + code + ": " + message, null);
        };
    }

    /**
     * An answer client-java could not read (a field its model does not know, a broken body). Its exception message
     * quotes the body, which may hold a Secret's data: only the exception's type is told, and it is not kept as the
     * cause, so no log line can print it.
     */
    static ApiException unreadable(RuntimeException e, Resource resource, String name) {
        return new ApiException.Internal(
                "the kube-apiserver's answer about " + resource.plural() + " \"" + name + "\" could not be read ("
                        + e.getClass().getSimpleName() + ")",
                null);
    }

    private static JsonNode status(String body) {
        if (body == null || body.isEmpty()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && "Status".equals(node.path("kind").asText()) ? node : JSON.createObjectNode();
        } catch (Exception e) {
            return JSON.createObjectNode(); // not a Status: a proxy's page; the HTTP code says enough
        }
    }

    private static String message(JsonNode status, int code) {
        String message = status.path("message").asText("");
        if (message.isEmpty()) {
            return "HTTP " + code;
        }
        return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message;
    }

    /** The part after {@code Operation cannot be fulfilled on secrets "x": }, which our Conflict prefixes again. */
    private static String conflictDetail(String message) {
        int at = message.startsWith("Operation cannot be fulfilled on ") ? message.indexOf("\": ") : -1;
        return at < 0 ? message : message.substring(at + 3);
    }

    private static List<FieldError> fieldErrors(JsonNode status, String message) {
        List<FieldError> errors = new ArrayList<>();
        for (JsonNode cause : status.path("details").path("causes")) {
            String field = cause.path("field").asText("");
            String text = cause.path("message").asText("");
            FieldError.Type type = type(cause.path("reason").asText(""));
            // the cause's message starts with the type's label already ("Invalid value: ..."); keep the rest once
            String detail = text.startsWith(type.label() + ": ")
                    ? text.substring(type.label().length() + 2)
                    : text;
            errors.add(new FieldError(type, field.isEmpty() ? FieldPath.root() : FieldPath.of(field), null, detail));
        }
        if (errors.isEmpty()) {
            errors.add(new FieldError(FieldError.Type.INVALID, FieldPath.root(), null, message));
        }
        return errors;
    }

    private static FieldError.Type type(String reason) {
        for (FieldError.Type type : FieldError.Type.values()) {
            if (type.reason().equals(reason)) {
                return type;
            }
        }
        return FieldError.Type.INVALID;
    }
}
