package io.dbprovision.api.kinds;

import com.google.protobuf.Message;
import io.dbprovision.api.validation.ObjectMetaValidator;
import io.dbprovision.proto.v1alpha1.EngineType;
import java.util.Optional;

/**
 * The rules of one kind that the schema's annotations cannot say: defaults computed from other fields, and checks
 * across fields. The schema's own defaults and rules are applied before these, by {@link ObjectRules}.
 */
public interface KindRules<T extends Message> {

    /** The kind's message type. */
    Class<T> type();

    /** Defaults that depend on other fields. Must be idempotent. */
    default T defaults(T object) {
        return object;
    }

    /** Checks across fields of a new or updated object. */
    default void validate(T object, Findings findings) {}

    /** Checks that compare the stored object with its update (the schema's immutable fields are checked already). */
    default void validateUpdate(T old, T updated, Findings findings) {}

    /** What the kind's object names may be: DNS subdomains unless the kind says otherwise (RBAC kinds do). */
    default ObjectMetaValidator.Names names() {
        return ObjectMetaValidator.Names.DNS_SUBDOMAIN;
    }

    /** The engine the object's identifiers belong to, when the object itself says (instances do). */
    default Optional<EngineType> engine(T object) {
        return Optional.empty();
    }
}
