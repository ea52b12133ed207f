package io.dbprovision.apiserver.storage;

/**
 * Receives a watch's events, in resourceVersion order, each once, on a thread of the watch's own. A watcher that
 * falls too far behind is cut off with {@link StorageException.Unavailable} rather than slowing anybody else.
 */
public interface Watcher {
    void onEvent(WatchEvent event);

    /**
     * The watch ended: {@code cause} is null when it was closed by the caller or by shutdown, otherwise why it ended
     * (Expired, Unavailable). No event follows.
     */
    void onClose(StorageException cause);
}
