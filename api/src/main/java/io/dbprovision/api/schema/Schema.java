package io.dbprovision.api.schema;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
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
 * The kinds of {@code dbops.dbprovision.io/v1alpha1}, found by their {@code (resource)} option in the proto files
 * listed here. Adding a proto file of kinds is one line in {@link #FILES}; discovery, OpenAPI, the codec, defaults
 * and validation follow from it.
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

    private static final Schema INSTANCE = new Schema(FILES);

    private final List<Kind> kinds;
    private final Map<String, Kind> byKind = new LinkedHashMap<>();
    private final Map<String, Kind> byListKind = new LinkedHashMap<>();
    private final Map<String, Kind> byPlural = new LinkedHashMap<>();

    private Schema(List<FileDescriptor> files) {
        List<Kind> found = new ArrayList<>();
        for (FileDescriptor file : files) {
            for (Descriptor message : file.getMessageTypes()) {
                if (message.getOptions().hasExtension(OptionsProto.resource)) {
                    found.add(kindOf(message));
                }
            }
        }
        this.kinds = List.copyOf(found);
        for (Kind kind : kinds) {
            byKind.put(kind.kind(), kind);
            byListKind.put(kind.listKind(), kind);
            byPlural.put(kind.plural(), kind);
        }
    }

    /** The schema of this build. */
    public static Schema get() {
        return INSTANCE;
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

    private static Kind kindOf(Descriptor message) {
        Resource resource = message.getOptions().getExtension(OptionsProto.resource);
        Descriptor list = message.getFile().findMessageTypeByName(message.getName() + "List");
        if (list == null) {
            throw new IllegalStateException(message.getFullName() + " has no " + message.getName() + "List message");
        }
        return new Kind(
                GROUP,
                VERSION,
                resource.getKind(),
                resource.getPlural(),
                resource.getSingular(),
                List.copyOf(resource.getShortNamesList()),
                resource.getClusterScoped(),
                List.copyOf(resource.getCategoriesList()),
                List.copyOf(resource.getPrinterColumnsList()),
                defaultInstance(message),
                defaultInstance(list));
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
