package io.dbprovision.client;

import io.grpc.ClientCall;

/** A watch delivered to a {@link WatchListener}; {@link #close()} cancels it. */
public final class Subscription implements AutoCloseable {
    private final ClientCall<?, ?> call;

    Subscription(ClientCall<?, ?> call) {
        this.call = call;
    }

    @Override
    public void close() {
        call.cancel("cancelled by the client", null);
    }
}
