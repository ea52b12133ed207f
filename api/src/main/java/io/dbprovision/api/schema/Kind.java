package io.dbprovision.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import io.dbprovision.proto.v1alpha1.PrinterColumn;
import java.util.List;

/**
 * One kind of the API group, read from the {@code (resource)} option of its top-level message.
 *
 * @param selectableFields fields usable in field selectors, besides metadata.name and metadata.namespace
 * @param object the default instance of the kind's message, whose builder the codec fills
 * @param list the default instance of its {@code <Kind>List} message; null for a create-only kind
 * @param createOnly a question answered on create and never stored (a review): no list, no store, create only
 */
public record Kind(
        String group,
        String version,
        String kind,
        String plural,
        String singular,
        List<String> shortNames,
        boolean clusterScoped,
        List<String> categories,
        List<PrinterColumn> printerColumns,
        List<String> selectableFields,
        Message object,
        Message list,
        boolean createOnly) {

    /** {@code group/version}, or just the version for the core group. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String listKind() {
        return kind + "List";
    }

    public Descriptor descriptor() {
        return object.getDescriptorForType();
    }

    /** {@code databaseinstances.dbops.dbprovision.io}, the form Kubernetes uses in errors. */
    public String qualifiedResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }
}
