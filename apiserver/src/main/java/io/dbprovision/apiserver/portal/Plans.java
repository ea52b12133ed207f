package io.dbprovision.apiserver.portal;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import java.util.List;

/**
 * What a {@code validate_only} write answers beside the object: the statements the provisioner would run for it.
 * Asked only after the dry run has passed validation and admission.
 */
public interface Plans {
    /** The statements, in order, secrets redacted; or none, with the reason among the warnings. */
    public record Plan(List<PlannedStatement> statements, List<String> warnings) {
        static Plan none(String why) {
            return new Plan(List.of(), List.of(why));
        }
    }

    Plan plan(Kind kind, Message object);

    /** No planning at all: every dry run answers without statements, saying so. */
    Plans NONE = (kind, object) -> Plan.none("no plan: the provisioner is not asked on this server");
}
