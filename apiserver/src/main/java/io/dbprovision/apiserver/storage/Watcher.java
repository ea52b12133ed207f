package io.dbprovision.apiserver.storage;

/**
 * Receives a watch's events, in resourceVersion order, each once, on a thread of the watch's own (or, for an {@link
 * InlineWatcher}, on the thread that applies the change, without blocking). A watcher that
 * falls too far behind is cut off with {@link StorageException.FellBehind} rather than slowing anybody else. Its thread
 * is never interrupted (an {@code onEvent} may be inside a write or a database read, which an interrupt would close
 * under it): a watcher whose {@code onEvent} may wait for a slow consumer learns of the cut-off from {@link
 * #onCutOff} and stops waiting.
 */
public interface Watcher {
    void onEvent(WatchEvent event);

    /**
     * The watch ended: {@code cause} is null when it was closed by the caller or by shutdown, otherwise why it ended
     * (Expired, Unavailable). No event follows.
     */
    void onClose(StorageException cause);

    /**
     * The watch was cut off for falling behind, perhaps while {@code onEvent} runs on the watch's thread. Called on
     * the thread that found it behind (holding the cache's lock): it must not block, only tell a waiting {@code
     * onEvent} to give up. {@link #onClose} with {@link StorageException.FellBehind} follows on the watch's thread.
     */
    default void onCutOff() {}
}
