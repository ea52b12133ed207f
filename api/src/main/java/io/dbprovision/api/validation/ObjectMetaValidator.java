package io.dbprovision.api.validation;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Kubernetes' rules for object metadata: names, namespaces, labels, annotations and finalizers. */
public final class ObjectMetaValidator {
    /*
     * Kubernetes' rules are regular expressions; they are checked here by hand, character by character, because every
     * write checks the name, the namespace and each label and annotation key and value, and the regex engine cost
     * more than the rest of the metadata's validation. The expressions, for reference:
     *   DNS label:           [a-z0-9]([-a-z0-9]*[a-z0-9])?
     *   DNS subdomain:       [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
     *   qualified name part: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
     *   label value:         (([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?
     * ObjectMetaValidatorTest checks the hand-written matchers against these expressions.
     */
    private static final int TOTAL_ANNOTATION_BYTES = 256 * 1024;

    private ObjectMetaValidator() {}

    /** What an object's name may be. */
    public enum Names {
        /** A lowercase RFC 1123 subdomain, the rule of most kinds. */
        DNS_SUBDOMAIN,
        /**
         * Anything that is a single URL path segment: not {@code .} or {@code ..}, no {@code /} or {@code %}. The
         * rule of RBAC kinds, whose names such as {@code system:basic-user} carry colons.
         */
        PATH_SEGMENT
    }

    public static List<FieldError> validate(ObjectMeta meta, boolean clusterScoped) {
        return validate(meta, clusterScoped, Names.DNS_SUBDOMAIN);
    }

    public static List<FieldError> validate(ObjectMeta meta, boolean clusterScoped, Names names) {
        List<FieldError> errors = new ArrayList<>();
        FieldPath path = FieldPath.of("metadata");
        if (meta.getName().isEmpty()) {
            if (meta.getGenerateName().isEmpty()) {
                errors.add(FieldError.required(path.child("name"), "name or generateName is required"));
            } else if (names == Names.PATH_SEGMENT) {
                checkPathSegment(meta.getGenerateName(), true, path.child("generateName"), errors);
            } else {
                checkSubdomain(
                        withoutTrailingDashes(meta.getGenerateName()),
                        path.child("generateName"),
                        meta.getGenerateName(),
                        errors);
            }
        } else if (names == Names.PATH_SEGMENT) {
            checkPathSegment(meta.getName(), false, path.child("name"), errors);
        } else {
            checkSubdomain(meta.getName(), path.child("name"), meta.getName(), errors);
        }
        if (clusterScoped && !meta.getNamespace().isEmpty()) {
            errors.add(FieldError.forbidden(path.child("namespace"), "not allowed on this type"));
        }
        if (!clusterScoped && !meta.getNamespace().isEmpty()) {
            if (meta.getNamespace().length() > 63
                    || !isDnsLabel(meta.getNamespace(), 0, meta.getNamespace().length())) {
                errors.add(FieldError.invalid(
                        path.child("namespace"),
                        meta.getNamespace(),
                        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and"
                                + " must start and end with an alphanumeric character (at most 63 characters)"));
            }
        }
        checkLabels(meta.getLabelsMap(), path.child("labels"), errors);
        checkAnnotations(meta.getAnnotationsMap(), path.child("annotations"), errors);
        checkFinalizers(meta.getFinalizersList(), path.child("finalizers"), errors);
        return errors;
    }

    /**
     * The messages of Kubernetes' path segment rule; a generateName prefix may be {@code .} or {@code ..} (a suffix
     * follows).
     */
    public static List<String> pathSegmentProblems(String name, boolean prefix) {
        List<String> problems = new ArrayList<>();
        if (!prefix && (name.equals(".") || name.equals(".."))) {
            problems.add("may not be '" + name + "'");
        }
        if (name.contains("/")) {
            problems.add("may not contain '/'");
        }
        if (name.contains("%")) {
            problems.add("may not contain '%'");
        }
        return problems;
    }

    private static void checkPathSegment(String name, boolean prefix, FieldPath path, List<FieldError> errors) {
        for (String problem : pathSegmentProblems(name, prefix)) {
            errors.add(FieldError.invalid(path, name, problem));
        }
    }

    /** Whether {@code name} is a lowercase RFC 1123 subdomain of at most 253 characters (most kinds' names). */
    public static boolean isDnsSubdomain(String name) {
        return name.length() <= 253 && isDnsSubdomain(name, 0, name.length());
    }

    private static void checkSubdomain(String name, FieldPath path, String shown, List<FieldError> errors) {
        if (!isDnsSubdomain(name)) {
            errors.add(FieldError.invalid(
                    path,
                    shown,
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.',"
                            + " and must start and end with an alphanumeric character (at most 253 characters)"));
        }
    }

    private static void checkLabels(Map<String, String> labels, FieldPath path, List<FieldError> errors) {
        for (Map.Entry<String, String> label : labels.entrySet()) {
            checkQualifiedName(label.getKey(), path, errors);
            String value = label.getValue();
            if (value.length() > 63 || !(value.isEmpty() || isQualifiedNamePart(value, 0, value.length()))) {
                errors.add(FieldError.invalid(
                        path.key(label.getKey()),
                        value,
                        "a valid label value must be 63 characters or less and must be empty or begin and end with"
                                + " an alphanumeric character, with '-', '_', '.' and alphanumerics between"));
            }
        }
    }

    private static void checkAnnotations(Map<String, String> annotations, FieldPath path, List<FieldError> errors) {
        long total = 0;
        for (Map.Entry<String, String> annotation : annotations.entrySet()) {
            checkQualifiedName(annotation.getKey(), path, errors);
            total += annotation.getKey().getBytes(StandardCharsets.UTF_8).length
                    + annotation.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > TOTAL_ANNOTATION_BYTES) {
            errors.add(FieldError.tooLong(path, TOTAL_ANNOTATION_BYTES));
        }
    }

    private static void checkFinalizers(List<String> finalizers, FieldPath path, List<FieldError> errors) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < finalizers.size(); i++) {
            String finalizer = finalizers.get(i);
            checkQualifiedName(finalizer, path.index(i), errors);
            if (!seen.add(finalizer)) {
                errors.add(FieldError.duplicate(path.index(i), finalizer));
            }
        }
    }

    /** {@code [prefix/]name}: prefix a DNS subdomain, name at most 63 characters of alphanumerics, '-', '_', '.'. */
    static void checkQualifiedName(String key, FieldPath path, List<FieldError> errors) {
        int start = 0;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            if (slash == 0 || slash > 253 || !isDnsSubdomain(key, 0, slash)) {
                errors.add(FieldError.invalid(path, key, "prefix part must be a lowercase RFC 1123 subdomain"));
                return;
            }
            start = slash + 1;
        }
        int length = key.length() - start;
        if (length == 0 || length > 63 || !isQualifiedNamePart(key, start, key.length())) {
            errors.add(FieldError.invalid(
                    path,
                    key,
                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with"
                            + " an alphanumeric character (at most 63 characters)"));
        }
    }

    /** {@code text[from, to)} matches {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?}. */
    static boolean isDnsLabel(String text, int from, int to) {
        if (from >= to || !isLowerAlphanumeric(text.charAt(from)) || !isLowerAlphanumeric(text.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = text.charAt(i);
            if (c != '-' && !isLowerAlphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code text[from, to)} is one or more DNS labels separated by dots. */
    static boolean isDnsSubdomain(String text, int from, int to) {
        int start = from;
        while (true) {
            int dot = text.indexOf('.', start);
            int end = dot < 0 || dot >= to ? to : dot;
            if (!isDnsLabel(text, start, end)) {
                return false;
            }
            if (end == to) {
                return true;
            }
            start = end + 1;
        }
    }

    /** {@code text[from, to)} matches {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}. */
    static boolean isQualifiedNamePart(String text, int from, int to) {
        if (from >= to || !isAlphanumeric(text.charAt(from)) || !isAlphanumeric(text.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = text.charAt(i);
            if (c != '-' && c != '_' && c != '.' && !isAlphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * A generateName prefix as the name it will be part of is checked: its trailing dashes, which a generated suffix
     * will follow, replaced by one {@code x} ({@code prefix.replaceAll("-+$", "x")}, without the regex).
     */
    private static String withoutTrailingDashes(String prefix) {
        int end = prefix.length();
        while (end > 0 && prefix.charAt(end - 1) == '-') {
            end--;
        }
        return end == prefix.length() ? prefix : prefix.substring(0, end) + "x";
    }
}
