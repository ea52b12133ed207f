package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.apiserver.storage.StoredObject;
import java.util.function.Function;

/**
 * One version of an object as the API serves it: the decoded message, decoded only when someone needs it, and its
 * JSON, encoded once per stored version and shared by every response and watch stream that sends it. A list or a
 * watch event in plain JSON never decodes the object at all once its JSON is known.
 *
 * <p>Not thread-safe for {@link #object()} (each reader gets its own instance); {@link #json()} of a stored version
 * is shared safely through {@link StoredObject#derived}.
 */
public final class ObjectVersion {
    /** The key of the stored version's derived value: its JSON, with its resourceVersion set. */
    private static final Object JSON = new Object();

    private final StoredObject stored;
    private final Function<StoredObject, Message> decoder;
    private final KubeCodec codec;
    private Message object;
    private byte[] json;

    private ObjectVersion(
            StoredObject stored, Function<StoredObject, Message> decoder, Message object, KubeCodec codec) {
        this.stored = stored;
        this.decoder = decoder;
        this.object = object;
        this.codec = codec;
    }

    /** A stored version, decoded with {@code decoder} when first needed. */
    static ObjectVersion of(StoredObject stored, Function<StoredObject, Message> decoder, KubeCodec codec) {
        return new ObjectVersion(stored, decoder, null, codec);
    }

    /** A stored version whose decoded form is at hand already (the object just written). */
    static ObjectVersion of(StoredObject stored, Message object, KubeCodec codec) {
        return new ObjectVersion(stored, null, object, codec);
    }

    /** An object that is not a stored version (a dry run's result, a bookmark): its JSON is encoded for it alone. */
    public static ObjectVersion unstored(Message object, KubeCodec codec) {
        return new ObjectVersion(null, null, object, codec);
    }

    /** The object, with its resourceVersion set. */
    public Message object() {
        if (object == null) {
            object = decoder.apply(stored);
        }
        return object;
    }

    /** The object as Kubernetes JSON (compact), as a response or a watch event carries it; callers must not modify it. */
    public byte[] json() {
        if (stored != null) {
            return stored.derived(JSON, ignored -> codec.encodeJson(object()));
        }
        if (json == null) {
            json = codec.encodeJson(object());
        }
        return json;
    }
}
