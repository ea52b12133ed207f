package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;

/** POST on a create-only kind: decode the question, answer it, send the answer back (201); nothing is stored. */
final class CreateOnlyEndpoints {
    private final KubeCodec codec;
    private final int maxBodyBytes;

    CreateOnlyEndpoints(KubeCodec codec, int maxBodyBytes) {
        this.codec = codec;
        this.maxBodyBytes = maxBodyBytes;
    }

    void serve(Call call, RequestContext context, Kind kind, CreateOnlyResource resource) {
        if (!context.info().verb().equals("create") || !context.info().name().isEmpty()) {
            throw new ApiException.MethodNotAllowed(
                    call.method() + " is not supported on " + context.info().path());
        }
        Message answer = resource.answer(context, decode(call, kind));
        call.respondJson(201, codec.encodeJson(answer));
    }

    private Message decode(Call call, Kind kind) {
        return ResourceEndpoints.decode(codec, call, kind, call.body(maxBodyBytes), FieldValidation.of(call));
    }
}
