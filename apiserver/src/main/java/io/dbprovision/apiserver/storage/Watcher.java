package io.dbprovision.apiserver.storage;

/**
 * Receives a watch's events, in resourceVersion order, each once, on a thread of the watch's own. A watcher that
 * falls too far behind is cut off with {@link StorageException.FellBehind} rather than slowing anybody else; if its
 * {@code onEvent} is blocked then, the thread is interrupted.
 */
public interface Watcher {
    void onEvent(WatchEvent event);

    /**
     * The watch ended: {@code cause} is null when it was closed by the caller or by shutdown, otherwise why it ended
     * (Expired, Unavailable). No event follows.
     */
    void onClose(StorageException cause);
}
