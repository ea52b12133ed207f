package io.dbprovision.apiserver.admission;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.schema.Schema;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The objects a dbops object points at — instances, Secrets, ConfigMaps, databases, users, roles, backups — found
 * by walking the object's message for the reference types of {@code common.proto}, with the namespace each one
 * resolves to (its own, or the referrer's when it names none), as the reconcilers will resolve them.
 */
final class References {
    /** One object pointed at, and the field that points (JSON path). */
    record Reference(String group, String resource, String namespace, String name, String field) {
        String qualifiedResource() {
            return group.isEmpty() ? resource : resource + "." + group;
        }
    }

    private static final String DBOPS = Schema.GROUP;

    /** {@code LocalObjectReference} fields, by name: which kind they name. */
    private static final Map<String, String> LOCAL_REFERENCE_TARGETS = Map.of(
            "database_ref", "databases",
            "user_ref", "databaseusers",
            "role_ref", "databaseroles",
            "backup_ref", "databasebackups");

    private References() {}

    /** Every reference in {@code object}, which lives in {@code namespace} ("" when cluster-scoped). */
    static Set<Reference> of(Message object, String namespace) {
        Set<Reference> found = new LinkedHashSet<>();
        walk(object, namespace, "", found);
        return found;
    }

    private static void walk(Message message, String namespace, String path, Set<Reference> found) {
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE
                    || path.isEmpty() && field.getName().equals("metadata")) {
                continue;
            }
            String fieldPath = path.isEmpty() ? field.getJsonName() : path + "." + field.getJsonName();
            List<Message> values = new ArrayList<>();
            if (field.isMapField()) {
                continue; // maps hold strings here, never references
            } else if (field.isRepeated()) {
                for (Object item : (List<?>) entry.getValue()) {
                    values.add((Message) item);
                }
            } else {
                values.add((Message) entry.getValue());
            }
            for (int i = 0; i < values.size(); i++) {
                Message value = values.get(i);
                String itemPath = field.isRepeated() ? fieldPath + "[" + i + "]" : fieldPath;
                Reference reference = reference(field, value, namespace, itemPath);
                if (reference != null) {
                    found.add(reference);
                } else {
                    walk(value, namespace, itemPath, found);
                }
            }
        }
    }

    private static Reference reference(FieldDescriptor field, Message value, String namespace, String path) {
        String type = value.getDescriptorForType().getName();
        String name = text(value, "name");
        String ownNamespace = text(value, "namespace");
        String resolved = ownNamespace.isEmpty() ? namespace : ownNamespace;
        return switch (type) {
            case "InstanceReference" -> new Reference(DBOPS, "databaseinstances", resolved, name, path);
            case "ClusterInstanceReference" -> new Reference(DBOPS, "clusterdatabaseinstances", "", name, path);
            case "SecretReference", "SecretKeySelector", "CredentialSecretRef" ->
                new Reference("", "secrets", resolved, name, path);
            case "ConfigMapKeySelector" -> new Reference("", "configmaps", resolved, name, path);
            case "NamespacedUserReference" -> new Reference(DBOPS, "databaseusers", resolved, name, path);
            case "NamespacedRoleReference" ->
                ownNamespace.isEmpty()
                        ? new Reference(DBOPS, "clusterdatabaseroles", "", name, path)
                        : new Reference(DBOPS, "databaseroles", ownNamespace, name, path);
            case "LocalObjectReference" -> {
                String resource = LOCAL_REFERENCE_TARGETS.get(field.getName());
                yield resource == null ? null : new Reference(DBOPS, resource, resolved, name, path);
            }
            default -> null;
        };
    }

    private static String text(Message message, String fieldName) {
        FieldDescriptor field = message.getDescriptorForType().findFieldByName(fieldName);
        return field == null ? "" : String.valueOf(message.getField(field));
    }
}
