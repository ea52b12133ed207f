package io.dbprovision.api.kinds;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.EnumSpelling;
import io.dbprovision.api.defaults.SchemaDefaulter;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.api.validation.ObjectMetaValidator;
import io.dbprovision.api.validation.SchemaValidator;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Defaults and validation of every kind: the schema's annotations first, then the kind's own {@link KindRules}.
 * This is what the API server's strategies call on create and update, and what the portal API and the SDK's
 * validate-only calls use.
 */
public final class ObjectRules {
    /**
     * The finalizer in a Namespace's {@code spec.finalizers} that holds it until its content is deleted, as
     * Kubernetes names it.
     */
    public static final String NAMESPACE_FINALIZER = "kubernetes";

    private static final ObjectRules STANDARD = new ObjectRules(
            Schema.get(),
            List.of(
                    InstanceRules.namespaced(),
                    InstanceRules.clusterScoped(),
                    new DatabaseRules(),
                    new DatabaseUserRules(),
                    RoleRules.namespaced(),
                    RoleRules.clusterScoped(),
                    GrantRules.namespaced(),
                    GrantRules.clusterScoped(),
                    new BackupRules(),
                    new BackupScheduleRules(),
                    new RestoreRules()));
    private static final ObjectRules CORE = new ObjectRules(
            Schema.core(),
            List.of(CoreRules.namespaces(), CoreRules.secrets(), CoreRules.configMaps(), CoreRules.events()));
    private static final ObjectRules RBAC = new ObjectRules(
            Schema.rbac(),
            List.of(
                    RbacRules.roles(),
                    RbacRules.clusterRoles(),
                    RbacRules.roleBindings(),
                    RbacRules.clusterRoleBindings()));

    private final Schema schema;
    private final Map<String, KindRules<?>> rulesByMessage = new HashMap<>();

    ObjectRules(Schema schema, List<KindRules<?>> rules) {
        this.schema = schema;
        for (KindRules<?> rule : rules) {
            rulesByMessage.put(descriptorName(rule.type()), rule);
        }
        for (Kind kind : schema.kinds()) {
            if (!rulesByMessage.containsKey(kind.descriptor().getFullName())) {
                throw new IllegalStateException("no KindRules registered for " + kind.kind());
            }
        }
    }

    /** The rules of {@code dbops.dbprovision.io/v1alpha1}. */
    public static ObjectRules standard() {
        return STANDARD;
    }

    /** The rules of the core v1 kinds standalone mode serves. */
    public static ObjectRules core() {
        return CORE;
    }

    /** The rules of the {@code rbac.authorization.k8s.io/v1} kinds standalone mode serves. */
    public static ObjectRules rbac() {
        return RBAC;
    }

    /** The object with the schema's defaults and the kind's computed defaults applied. Idempotent. */
    public <T extends Message> T applyDefaults(T object) {
        T defaulted = SchemaDefaulter.apply(object);
        return rules(defaulted).defaults(defaulted);
    }

    /** Everything wrong with a new object (call after {@link #applyDefaults}). */
    public Findings validateCreate(Message object) {
        Findings findings = new Findings();
        Kind kind = kindOf(object);
        findings.errors(ObjectMetaValidator.validate(
                metadata(object), kind.clusterScoped(), rules(object).names()));
        Optional<EngineType> engine = rules(object).engine(object);
        findings.errors(SchemaValidator.validate(object, FieldPath.root(), engine));
        rules(object).validate(object, findings);
        engine.ifPresent(e -> warnAboutOtherEngines(object, e, findings));
        return findings;
    }

    /** Everything wrong with an update: the new object's own problems and the changes that are not allowed. */
    public <T extends Message> Findings validateUpdate(T old, T updated) {
        Findings findings = validateCreate(updated);
        findings.errors(SchemaValidator.validateImmutable(old, updated, FieldPath.root()));
        rules(updated).validateUpdate(old, updated, findings);
        return findings;
    }

    /**
     * Checks an object's engine identifiers against the engine of the instance it refers to, and warns about
     * engine blocks that engine ignores. The API server calls it once it has resolved the instance.
     */
    public Findings validateForEngine(Message object, EngineType engine) {
        Findings findings = new Findings();
        findings.errors(SchemaValidator.validate(object, FieldPath.root(), Optional.of(engine)).stream()
                .filter(error -> error.type() == FieldError.Type.INVALID)
                .toList());
        warnAboutOtherEngines(object, engine, findings);
        return findings;
    }

    /** Spec blocks named after engines ({@code postgres}, {@code mysql}, {@code clickhouse}) that this engine ignores. */
    private static void warnAboutOtherEngines(Message object, EngineType engine, Findings findings) {
        FieldDescriptor specField = object.getDescriptorForType().findFieldByName("spec");
        if (specField == null) {
            return;
        }
        Message spec = (Message) object.getField(specField);
        String engineName = EnumSpelling.of(engine.getValueDescriptor()).orElse("");
        for (String block : List.of("postgres", "mysql", "clickhouse")) {
            FieldDescriptor field = spec.getDescriptorForType().findFieldByName(block);
            if (field != null
                    && spec.hasField(field)
                    && !EngineFamily.of(engine).equals(block)) {
                findings.warn("spec." + block + " is ignored for engine " + engineName);
            }
        }
    }

    private Kind kindOf(Message object) {
        String name = object.getDescriptorForType().getName();
        return schema.byKind(name).orElseThrow(() -> new IllegalArgumentException("not a kind: " + name));
    }

    @SuppressWarnings("unchecked")
    private <T extends Message> KindRules<T> rules(T object) {
        KindRules<?> rules = rulesByMessage.get(object.getDescriptorForType().getFullName());
        if (rules == null) {
            throw new IllegalArgumentException(
                    "not a kind: " + object.getDescriptorForType().getFullName());
        }
        return (KindRules<T>) rules;
    }

    static ObjectMeta metadata(Message object) {
        return (ObjectMeta) object.getField(object.getDescriptorForType().findFieldByName("metadata"));
    }

    private static String descriptorName(Class<? extends Message> type) {
        try {
            Message instance = (Message) type.getMethod("getDefaultInstance").invoke(null);
            return instance.getDescriptorForType().getFullName();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
