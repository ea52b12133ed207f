package io.dbprovision.apiserver.corev1;

import io.dbprovision.apiserver.controller.NamespacedName;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a watch of Secrets has told so far: the names of the matching Secrets and the resourceVersion each was last
 * seen at, never their data. After a relist (a watch resumed from a version that is gone) it is what lets the watch
 * tell which Secrets changed or went away meanwhile, as client-go's reflector replaces its store. Used by one thread.
 */
final class WatchedNames {
    private final Map<NamespacedName, String> versions = new HashMap<>();
    private final Consumer<NamespacedName> changed;

    WatchedNames(Consumer<NamespacedName> changed) {
        this.changed = changed;
    }

    /** An ADDED or MODIFIED event. */
    void seen(NamespacedName name, String resourceVersion) {
        versions.put(name, resourceVersion);
        changed.accept(name);
    }

    /** A DELETED event (or a Secret that stopped matching the selector). */
    void gone(NamespacedName name) {
        versions.remove(name);
        changed.accept(name);
    }

    /**
     * Takes a full list as the truth: tells of every Secret that is new or at another version, and of every one no
     * longer listed. With {@code tellAll} every listed Secret is told (the first list after a watch could not start:
     * what happened before it is unknown).
     */
    void relisted(Map<NamespacedName, String> listed, boolean tellAll) {
        for (NamespacedName name : List.copyOf(versions.keySet())) {
            if (!listed.containsKey(name)) {
                gone(name);
            }
        }
        listed.forEach((name, version) -> {
            String known = versions.put(name, version);
            if (tellAll || !version.equals(known)) {
                changed.accept(name);
            }
        });
    }

    /** The first list of a watch: what exists when the watch starts is not a change. */
    void baseline(Map<NamespacedName, String> listed) {
        versions.clear();
        versions.putAll(listed);
    }

    int size() {
        return versions.size();
    }
}
