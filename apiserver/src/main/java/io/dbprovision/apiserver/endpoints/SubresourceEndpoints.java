package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.ServedSubresource;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET on a computed subresource ({@code databaseusers/{name}/credentials}): the reader computes the answer at
 * request time and it is sent as JSON or YAML with {@code Cache-Control: no-store}, never kept anywhere. The request
 * was authorized as the subresource ({@code get databaseusers/credentials}) before it got here; the audit log records
 * it without any body, as it records every request.
 *
 * <p>Paths are checked as the resource endpoints check them: a cluster-scoped parent under a namespace, or a
 * namespaced one without, is 404; a malformed namespace or name is 400; any method but GET and HEAD, and
 * {@code watch}, is 405. The answer is not table-convertible: a client that lists only {@code Table} (or
 * {@code PartialObjectMetadata}) in its Accept gets 406, one that lists JSON after it gets JSON, as the kube-apiserver
 * answers for a storage without a table convertor.
 */
final class SubresourceEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(SubresourceEndpoints.class);

    private final KubeCodec codec;

    SubresourceEndpoints(KubeCodec codec) {
        this.codec = codec;
    }

    void serve(Call call, RequestContext context, ServedSubresource served) {
        // First, so that every answer of this path (errors included) tells caches not to keep it.
        call.setHeader("Cache-Control", "no-store");
        RequestInfo info = context.info();
        ComputedSubresource subresource = served.subresource();
        Kind parent = subresource.parent();
        if (parent.clusterScoped() && !info.namespace().isEmpty()) {
            throw notFound(parent, info.name());
        }
        PathSegments.checkNamespace(info.namespace());
        PathSegments.checkName(info.name());
        if (!parent.clusterScoped() && info.namespace().isEmpty()) {
            throw notFound(parent, info.name());
        }
        if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
            throw notSupported(call, info);
        }
        call.flag("watch"); // refuses a spelling that is neither true nor false
        if (!info.verb().equals("get")) {
            throw notSupported(call, info); // watch: an answer computed once has no changes to follow
        }
        boolean yaml = negotiateYaml(call.accept());
        Message answer = complete(read(served, context, info), subresource, info);
        if (yaml) {
            call.respond(200, "application/yaml", codec.encodeYaml(answer).getBytes(StandardCharsets.UTF_8));
        } else {
            call.respondJson(200, codec.encodeJson(answer));
        }
    }

    /** The reader's answer; a failure that is not an {@link ApiException} becomes a 500 without its message. */
    private static Message read(ServedSubresource served, RequestContext context, RequestInfo info) {
        ComputedSubresource subresource = served.subresource();
        Message answer;
        try {
            answer = served.reader().read(context, info.namespace(), info.name());
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            String object = subresource.parent().kind() + "(" + info.namespace() + "/" + info.name() + ")";
            if (subresource.sensitive()) {
                // Its message or stack could hold what the answer holds (a password): only its class is logged.
                LOG.error(
                        "{} {}: the reader failed with {}",
                        object,
                        subresource.name(),
                        e.getClass().getName());
            } else {
                LOG.error("{} {}: the reader failed", object, subresource.name(), e);
            }
            throw new ApiException.Internal("an internal error occurred", null);
        }
        if (answer == null || !answer.getDescriptorForType().equals(subresource.descriptor())) {
            LOG.error(
                    "{} {}: the reader answered {} instead of {}",
                    subresource.parent().kind(),
                    subresource.name(),
                    answer == null ? "nothing" : answer.getDescriptorForType().getFullName(),
                    subresource.descriptor().getFullName());
            throw new ApiException.Internal("an internal error occurred", null);
        }
        return answer;
    }

    /** The answer with its type and, where the reader left them out, the parent's name and namespace. */
    private static Message complete(Message answer, ComputedSubresource subresource, RequestInfo info) {
        Message typed = Objects.withTypeMeta(answer, subresource.apiVersion(), subresource.responseKind());
        ObjectMeta meta = Objects.meta(typed);
        ObjectMeta.Builder named = meta.toBuilder();
        if (meta.getName().isEmpty()) {
            named.setName(info.name());
        }
        if (meta.getNamespace().isEmpty() && !info.namespace().isEmpty()) {
            named.setNamespace(info.namespace());
        }
        return Objects.withMeta(typed, named.build());
    }

    /**
     * JSON or YAML, in the client's order. A Table or PartialObjectMetadata is skipped: the answer is no stored object
     * with printer columns, and the kube-apiserver offers neither for a storage that cannot convert to them.
     *
     * @return whether YAML was chosen
     */
    static boolean negotiateYaml(List<MediaType> accept) {
        for (MediaType type : accept) {
            boolean plain = type.parameter("as").isEmpty();
            if (type.essence().equals("application/json") && plain) {
                return false;
            }
            if (type.essence().equals("application/yaml") && plain) {
                return true;
            }
            if (type.essence().equals("*/*") || type.essence().equals("application/*")) {
                return false;
            }
        }
        throw new ApiException.NotAcceptable(
                "only the following media types are accepted: application/json, application/yaml");
    }

    private static ApiException notFound(Kind parent, String name) {
        return new ApiException.NotFound(new ApiException.Subject(parent.group(), parent.plural(), name));
    }

    private static ApiException notSupported(Call call, RequestInfo info) {
        return new ApiException.MethodNotAllowed("the server does not allow this method on the requested resource: "
                + call.method() + " " + PublicMessages.printable(info.path()));
    }
}
