package io.dbprovision.apiserver.registry;

/**
 * What a watch's events go to when its consumer takes them without a thread of its own (an HTTP watch stream, which
 * writes them on its connection's I/O thread): {@link #onEvent} runs on the thread that applies the change, so it
 * must only queue the event, never block. The store judges the queue the sink reports as it judges any watcher's and
 * ends a sink that falls behind with {@link ApiException.FellBehind}. See {@code storage.InlineWatcher}, whose
 * contract this is.
 */
public interface InlineEventSink {
    /** An event, in order, never concurrently with itself; the initial events come before {@code watch} returns. */
    void onEvent(ObjectEvent event);

    /** The watch ended: null when closed normally, otherwise why (FellBehind, Unavailable). Any thread, once. */
    void onEnd(ApiException cause);

    /** Events handed over since the initial ones and not yet taken by the consumer. */
    int waiting();

    /** Events taken by the consumer so far; it only grows. */
    long taken();
}
