package io.dbprovision.client;

import com.google.protobuf.Message;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A running watch read by blocking: iterate its events; {@link #close()} (or try-with-resources) cancels it on the
 * server. {@link #hasNext()} blocks until the next event and is false once the server ends the stream; failures
 * come out of it as {@link io.dbprovision.client.errors.DbProvisionException}s ({@code ExpiredException} when the
 * resource version is too old; {@code CancelledException} after {@link #close()} from another thread).
 */
public final class Watch<T extends Message> implements Iterator<WatchEvent<T>>, AutoCloseable {
    private final ResourceKind<T> kind;
    private final Calls.Stream<Message> events;

    Watch(ResourceKind<T> kind, Calls.Stream<Message> events) {
        this.kind = kind;
        this.events = events;
    }

    @Override
    public boolean hasNext() {
        return events.hasNext();
    }

    @Override
    public WatchEvent<T> next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the watch has ended");
        }
        return Resources.event(kind, events.next());
    }

    @Override
    public void close() {
        events.close();
    }
}
