package io.dbprovision.apiserver.registry.admission;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.request.RequestContext;
import java.util.Optional;

/**
 * One write as admission sees it, inside the registry after defaulting and before validation and storage: the
 * operation, the kind, the object as it would be stored, the object as stored now, and who asks.
 *
 * @param subresource "" or "status"
 * @param object the new object (empty for a delete)
 * @param oldObject the stored object (empty for a create)
 * @param dryRun nothing will be stored: a plugin must not have side effects either
 */
public record AdmissionRequest(
        Operation operation,
        Kind kind,
        String subresource,
        String namespace,
        String name,
        Optional<Message> object,
        Optional<Message> oldObject,
        RequestContext context,
        boolean dryRun) {}
