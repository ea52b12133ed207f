package io.dbprovision.apiserver.corev1;

import com.google.protobuf.Message;

/**
 * Records core v1 Events about objects, as client-go's EventRecorder does, for {@code kubectl describe}. Recording
 * never blocks and never fails the caller: events are written in the background, the same (object, type, reason,
 * message) within a while is counted on one Event rather than written again, and when the store is slow events are
 * dropped, not queued without bound. A message must never contain a secret.
 */
public interface EventRecorder {
    /** An event of type Normal about {@code object} (a stored object: apiVersion, kind and metadata set). */
    void normal(Message object, String reason, String message);

    /** An event of type Warning about {@code object}. */
    void warning(Message object, String reason, String message);
}
