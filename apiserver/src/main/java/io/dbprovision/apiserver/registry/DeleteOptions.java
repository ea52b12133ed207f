package io.dbprovision.apiserver.registry;

/**
 * Options of a delete, from the body's DeleteOptions or the query.
 *
 * @param uid precondition: the object's uid must be this (empty: no precondition)
 * @param resourceVersion precondition: the object's resourceVersion must be this (empty: no precondition)
 * @param propagationPolicy Orphan, Background or Foreground (empty: Background); without a garbage collector of our
 *     own all three delete the object itself the same way
 */
public record DeleteOptions(boolean dryRun, String uid, String resourceVersion, String propagationPolicy) {
    public static final DeleteOptions DEFAULT = new DeleteOptions(false, "", "", "");
}
