package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.CodecException;
import io.dbprovision.api.codec.Decoded;
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
        byte[] body = call.body(maxBodyBytes);
        String type = call.contentType().essence();
        Decoded<Message> decoded;
        try {
            decoded = switch (type) {
                case "application/json" -> codec.decodeJson(body, kind.object());
                case "application/yaml" -> codec.decodeYaml(body, kind.object());
                case ResourceEndpoints.PROTOBUF -> {
                    if (!codec.readsProtobuf(kind.object())) {
                        throw unsupported();
                    }
                    yield codec.decodeProtobuf(body, kind.object());
                }
                default -> throw unsupported();
            };
        } catch (CodecException e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
        if (!decoded.invalidValues().isEmpty()) {
            throw new ApiException.Invalid(kind.group(), kind.kind(), "", decoded.invalidValues());
        }
        return decoded.object();
    }

    private static ApiException unsupported() {
        return new ApiException.UnsupportedMediaType(
                "the body of the request was in an unknown format - accepted media types include: application/json,"
                        + " application/yaml");
    }
}
