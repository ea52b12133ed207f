package io.dbprovision.provisioner.engine.diff;

import io.dbprovision.proto.v1alpha1.DriftDiff;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Builds the {@link DriftDiff} entries every engine reports from Observe* calls, named as the kinds' drift status
 * names them (owner, connectionLimit, inRoles.missing, grants.table.db.public.t.missing ...). Shared so engines name
 * and flag differences alike; pure.
 */
public final class DriftDiffs {
    private DriftDiffs() {}

    public static DriftDiff plain(String field, Object expected, Object actual) {
        return DriftDiff.newBuilder()
                .setField(field)
                .setExpected(text(expected))
                .setActual(text(actual))
                .build();
    }

    /** Repairing it may lose data or access (superuser, extra memberships and privileges, owner). */
    public static DriftDiff destructive(String field, Object expected, Object actual) {
        return plain(field, expected, actual).toBuilder().setDestructive(true).build();
    }

    /** Cannot be repaired on the engine at all (a database's encoding). */
    public static DriftDiff immutable(String field, Object expected, Object actual) {
        return plain(field, expected, actual).toBuilder().setImmutable(true).build();
    }

    /** Adds a diff when the values differ. */
    public static void compare(List<DriftDiff> diffs, String field, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            diffs.add(plain(field, expected, actual));
        }
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Collection<?> c) {
            return String.join(",", c.stream().map(String::valueOf).sorted().toList());
        }
        return String.valueOf(value);
    }
}
