package io.dbprovision.apiserver.portal;

import io.dbprovision.api.schema.Kind;
import java.util.regex.Pattern;

/**
 * Resource names of the portal API, strictly: {@code namespaces/{namespace}/{plural}/{name}} for a namespaced kind,
 * {@code {plural}/{name}} for a cluster-scoped one, parents {@code namespaces/{namespace}} or empty. A namespace is a
 * DNS label, a name a DNS subdomain, as Kubernetes names objects; anything else is INVALID_ARGUMENT naming the field,
 * before any lookup.
 */
final class ResourceNames {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_NAME_LENGTH = 253;

    /** A parsed resource name: the namespace (empty for a cluster-scoped kind) and the object's name. */
    record Name(String namespace, String name) {}

    private ResourceNames() {}

    static Name parse(Kind kind, String field, String resourceName) {
        String[] parts = resourceName.split("/", -1);
        if (kind.clusterScoped()) {
            if (parts.length != 2 || !parts[0].equals(kind.plural())) {
                throw malformed(field, resourceName, kind.plural() + "/{name}");
            }
            return new Name("", checkName(field, parts[1]));
        }
        if (parts.length != 4 || !parts[0].equals("namespaces") || !parts[2].equals(kind.plural())) {
            throw malformed(field, resourceName, "namespaces/{namespace}/" + kind.plural() + "/{name}");
        }
        return new Name(checkNamespace(field, parts[1]), checkName(field, parts[3]));
    }

    /** The namespace a parent names: empty for every namespace (or a cluster-scoped kind). */
    static String parent(Kind kind, String field, String parent, boolean required) {
        if (kind.clusterScoped()) {
            if (!parent.isEmpty()) {
                throw new InvalidArgument(
                        field,
                        kind.kind() + " is cluster-scoped: the parent must be empty, not \""
                                + InvalidArgument.printable(parent) + "\"");
            }
            return "";
        }
        if (parent.isEmpty()) {
            if (required) {
                throw new InvalidArgument(field, "required: \"namespaces/{namespace}\"");
            }
            return "";
        }
        String[] parts = parent.split("/", -1);
        if (parts.length != 2 || !parts[0].equals("namespaces")) {
            throw malformed(field, parent, "namespaces/{namespace}");
        }
        return checkNamespace(field, parts[1]);
    }

    /** A namespace given as itself (RequestDatabase's namespace). */
    static String checkNamespace(String field, String namespace) {
        if (!LABEL.matcher(namespace).matches()) {
            throw new InvalidArgument(
                    field,
                    "namespace \"" + InvalidArgument.printable(namespace)
                            + "\" is not a DNS label (lower-case letters, digits and '-', at most 63)");
        }
        return namespace;
    }

    /** An object's name given as itself. */
    static String checkName(String field, String name) {
        if (name.length() > MAX_NAME_LENGTH || !SUBDOMAIN.matcher(name).matches()) {
            throw new InvalidArgument(
                    field,
                    "name \"" + InvalidArgument.printable(name)
                            + "\" is not a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253)");
        }
        return name;
    }

    static String format(Kind kind, String namespace, String name) {
        return kind.clusterScoped()
                ? kind.plural() + "/" + name
                : "namespaces/" + namespace + "/" + kind.plural() + "/" + name;
    }

    private static InvalidArgument malformed(String field, String value, String shape) {
        return new InvalidArgument(
                field,
                "\"" + InvalidArgument.printable(value) + "\" is not a resource name of the form \"" + shape + "\"");
    }
}
