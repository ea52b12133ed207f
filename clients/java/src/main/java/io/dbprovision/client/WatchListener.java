package io.dbprovision.client;

import io.dbprovision.client.errors.DbProvisionException;
import java.util.Optional;

/**
 * Receives a watch's events on a gRPC thread (one at a time, in order). {@link #onClosed} is called once at the end:
 * with no error when the server ended the stream, with the error otherwise (a {@code CancelledException} after the
 * caller cancelled it).
 */
@FunctionalInterface
public interface WatchListener<T> {
    void onEvent(WatchEvent<T> event);

    default void onClosed(Optional<DbProvisionException> error) {}
}
