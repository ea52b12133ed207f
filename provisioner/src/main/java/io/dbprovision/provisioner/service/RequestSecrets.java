package io.dbprovision.provisioner.service;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.provisioner.engine.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The secrets one request carries — every string field the schema marks {@code debug_redact} (admin password, client
 * key, user password), found by walking the message — and the scrubbing of them out of any text the call sends back
 * or logs. Errors are already built without secrets; this is the net under that rule, so a driver or jOOQ message
 * that quotes a statement still cannot carry a password out.
 */
public final class RequestSecrets {
    private static final RequestSecrets NONE = new RequestSecrets(List.of());

    private final List<String> secrets;

    private RequestSecrets(List<String> secrets) {
        this.secrets = secrets;
    }

    public static RequestSecrets none() {
        return NONE;
    }

    public static RequestSecrets of(Message request) {
        List<String> found = new ArrayList<>();
        collect(request, found);
        // Longest first, so a secret that contains another is replaced whole.
        found.sort(Comparator.comparingInt(String::length).reversed());
        return found.isEmpty() ? NONE : new RequestSecrets(List.copyOf(found));
    }

    /** Also scrubs {@code value} (a secret the call produced itself, such as a generated password). */
    public RequestSecrets and(String value) {
        if (value == null || value.isEmpty()) {
            return this;
        }
        List<String> more = new ArrayList<>(secrets);
        more.add(value);
        more.sort(Comparator.comparingInt(String::length).reversed());
        return new RequestSecrets(List.copyOf(more));
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    /** The text with every secret replaced by {@value Step#REDACTED}; null stays null. */
    public String scrub(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, Step.REDACTED);
        }
        return result;
    }

    private static void collect(Message message, List<String> found) {
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (field.isRepeated()) {
                    for (Object element : (List<?>) entry.getValue()) {
                        collect((Message) element, found);
                    }
                } else {
                    collect((Message) entry.getValue(), found);
                }
            } else if (field.getJavaType() == FieldDescriptor.JavaType.STRING
                    && field.getOptions().getDebugRedact()) {
                if (field.isRepeated()) {
                    for (Object element : (List<?>) entry.getValue()) {
                        addIfPresent((String) element, found);
                    }
                } else {
                    addIfPresent((String) entry.getValue(), found);
                }
            }
        }
    }

    private static void addIfPresent(String value, List<String> found) {
        if (!value.isEmpty() && !found.contains(value)) {
            found.add(value);
        }
    }
}
