package io.dbprovision.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.dbprovision.proto.k8s.authorization.v1.AuthorizationProto;
import io.dbprovision.proto.k8s.core.v1.CoreProto;
import io.dbprovision.proto.k8s.rbac.v1.RbacProto;
import io.dbprovision.proto.v1alpha1.BackupProto;
import io.dbprovision.proto.v1alpha1.DatabaseProto;
import io.dbprovision.proto.v1alpha1.GrantProto;
import io.dbprovision.proto.v1alpha1.InstanceProto;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import io.dbprovision.proto.v1alpha1.Resource;
import io.dbprovision.proto.v1alpha1.RestoreProto;
import io.dbprovision.proto.v1alpha1.RoleProto;
import io.dbprovision.proto.v1alpha1.ScheduleProto;
import io.dbprovision.proto.v1alpha1.UserProto;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kinds of one group-version, found by their {@code (resource)} option in its proto files: {@link #get()} is
 * {@code dbops.dbprovision.io/v1alpha1}, the API this server exists for; {@link #core()} the few core v1 kinds that
 * standalone mode serves in place of a cluster, {@link #rbac()} the RBAC kinds it serves and evaluates, and
 * {@link #authorization()} the self reviews it answers (create-only kinds, never stored). Adding a proto file of kinds is one line in {@link #FILES};
 * discovery, OpenAPI, the codec, defaults and validation follow from it.
 */
public final class Schema {
    public static final String GROUP = "dbops.dbprovision.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;

    private static final List<FileDescriptor> FILES = List.of(
            InstanceProto.getDescriptor(),
            DatabaseProto.getDescriptor(),
            UserProto.getDescriptor(),
            RoleProto.getDescriptor(),
            GrantProto.getDescriptor(),
            BackupProto.getDescriptor(),
            ScheduleProto.getDescriptor(),
            RestoreProto.getDescriptor());

    private static final Schema INSTANCE = new Schema(GROUP, VERSION, FILES);
    private static final Schema CORE = new Schema("", "v1", List.of(CoreProto.getDescriptor()));
    private static final Schema RBAC =
            new Schema("rbac.authorization.k8s.io", "v1", List.of(RbacProto.getDescriptor()));
    private static final Schema AUTHORIZATION =
            new Schema("authorization.k8s.io", "v1", List.of(AuthorizationProto.getDescriptor()));

    private final String group;
    private final String version;
    private final List<Kind> kinds;
    private final Map<String, Kind> byKind = new LinkedHashMap<>();
    private final Map<String, Kind> byListKind = new LinkedHashMap<>();
    private final Map<String, Kind> byPlural = new LinkedHashMap<>();

    private Schema(String group, String version, List<FileDescriptor> files) {
        this.group = group;
        this.version = version;
        List<Kind> found = new ArrayList<>();
        for (FileDescriptor file : files) {
            for (Descriptor message : file.getMessageTypes()) {
                if (message.getOptions().hasExtension(OptionsProto.resource)) {
                    found.add(kindOf(group, version, message));
                }
            }
        }
        this.kinds = List.copyOf(found);
        for (Kind kind : kinds) {
            byKind.put(kind.kind(), kind);
            if (!kind.createOnly()) {
                byListKind.put(kind.listKind(), kind);
            }
            byPlural.put(kind.plural(), kind);
        }
    }

    /** The schema of {@code dbops.dbprovision.io/v1alpha1}. */
    public static Schema get() {
        return INSTANCE;
    }

    /** The core v1 kinds standalone mode serves: Namespace, Secret, Event. */
    public static Schema core() {
        return CORE;
    }

    /** Role, ClusterRole, RoleBinding and ClusterRoleBinding of {@code rbac.authorization.k8s.io/v1}. */
    public static Schema rbac() {
        return RBAC;
    }

    /**
     * SelfSubjectAccessReview and SelfSubjectRulesReview of {@code authorization.k8s.io/v1}: {@link Kind#createOnly()}
     * kinds, answered on create and never stored, so never served through a store.
     */
    public static Schema authorization() {
        return AUTHORIZATION;
    }

    /** The API group; empty for the core group. */
    public String group() {
        return group;
    }

    public String version() {
        return version;
    }

    /** {@code group/version}, or just the version for the core group ({@code v1}). */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** Every kind, in the order of the proto files. */
    public List<Kind> kinds() {
        return kinds;
    }

    public Optional<Kind> byKind(String kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public Optional<Kind> byListKind(String listKind) {
        return Optional.ofNullable(byListKind.get(listKind));
    }

    public Optional<Kind> byPlural(String plural) {
        return Optional.ofNullable(byPlural.get(plural));
    }

    /** The proto files of the schema, for tools that walk every message (OpenAPI). */
    public static List<FileDescriptor> files() {
        return FILES;
    }

    private static Kind kindOf(String group, String version, Descriptor message) {
        Resource resource = message.getOptions().getExtension(OptionsProto.resource);
        Descriptor list = message.getFile().findMessageTypeByName(message.getName() + "List");
        if (list == null && !resource.getCreateOnly()) {
            throw new IllegalStateException(message.getFullName() + " has no " + message.getName() + "List message");
        }
        return new Kind(
                group,
                version,
                resource.getKind(),
                resource.getPlural(),
                resource.getSingular(),
                List.copyOf(resource.getShortNamesList()),
                resource.getClusterScoped(),
                List.copyOf(resource.getCategoriesList()),
                List.copyOf(resource.getPrinterColumnsList()),
                List.copyOf(resource.getSelectableFieldsList()),
                defaultInstance(message),
                list == null ? null : defaultInstance(list),
                resource.getCreateOnly());
    }

    /** The generated class's default instance, so decoded objects are typed messages, not dynamic ones. */
    private static Message defaultInstance(Descriptor descriptor) {
        String javaPackage = descriptor.getFile().getOptions().getJavaPackage();
        String className = javaPackage + "." + descriptor.getName();
        try {
            return (Message)
                    Class.forName(className).getMethod("getDefaultInstance").invoke(null);
        } catch (ClassNotFoundException
                | NoSuchMethodException
                | IllegalAccessException
                | InvocationTargetException e) {
            return DynamicMessage.getDefaultInstance(descriptor);
        }
    }
}
