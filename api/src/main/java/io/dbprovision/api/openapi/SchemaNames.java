package io.dbprovision.api.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.MetaProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Names of the schemas, as Kubernetes names them: its own meta/v1 types under {@code io.k8s.apimachinery...}, and
 * the group's types under the reversed group name, as for CRD-backed types. Our meta messages take the meta/v1
 * names so that {@code kubectl explain} presents standard metadata.
 */
final class SchemaNames {
    static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    static final String GROUP_PREFIX = reversed(Schema.GROUP) + "." + Schema.VERSION + ".";

    static final String STATUS = META + "Status";
    static final String DELETE_OPTIONS = META + "DeleteOptions";
    static final String PRECONDITIONS = META + "Preconditions";
    static final String WATCH_EVENT = META + "WatchEvent";
    static final String PATCH = META + "Patch";

    private SchemaNames() {}

    static String of(Descriptor message) {
        String relative =
                message.getFullName().substring(message.getFile().getPackage().length() + 1);
        return isMeta(message) ? META + relative : GROUP_PREFIX + relative;
    }

    static boolean isMeta(Descriptor message) {
        return message.getFile().equals(MetaProto.getDescriptor());
    }

    private static String reversed(String dnsName) {
        List<String> labels = new ArrayList<>(List.of(dnsName.split("\\.")));
        Collections.reverse(labels);
        return String.join(".", labels);
    }
}
