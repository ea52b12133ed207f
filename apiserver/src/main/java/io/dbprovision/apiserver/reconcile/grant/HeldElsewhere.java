package io.dbprovision.apiserver.reconcile.grant;

import io.dbprovision.proto.v1alpha1.DriftDiff;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Drift that other objects account for. The provisioner compares a grantee's privileges in the scopes a grant (or a
 * role's spec) names with that one object: what another grant, the user's {@code inRoles} or the role's own spec gives
 * the same grantee there comes back as {@code .extra}. That is not this object's drift — two grants of the same user in
 * one schema would each report the other's privileges forever — so the extras the others give are taken out of the
 * diffs here ({@code roles.extra}, {@code inRoles.extra}, PostgreSQL {@code grants.….extra}, {@code
 * .grantOption.extra} and {@code defaultPrivileges.….extra}; a {@code *} of the others covers every object of its
 * kind in its schema). A diff left with nothing goes.
 */
final class HeldElsewhere {
    private HeldElsewhere() {}

    static List<DriftDiff> filter(List<DriftDiff> diffs, List<GrantBlocks> others) {
        if (others.isEmpty()) {
            return diffs;
        }
        GrantBlocks all = GrantBlocks.empty();
        for (GrantBlocks other : others) {
            all = all.union(other);
        }
        Set<String> roles = all.roles();
        Map<String, Map<String, Boolean>> fields = all.postgresDriftFields();
        List<DriftDiff> kept = new ArrayList<>();
        for (DriftDiff diff : diffs) {
            String field = diff.getField();
            List<String> left;
            if (field.equals("roles.extra") || field.equals("inRoles.extra")) {
                left = split(diff.getActual()).stream()
                        .filter(r -> !roles.contains(r))
                        .toList();
            } else if (field.endsWith(".grantOption.extra")) {
                Map<String, Boolean> held =
                        heldAt(fields, field.substring(0, field.length() - ".grantOption.extra".length()));
                left = split(diff.getActual()).stream()
                        .filter(p -> !Boolean.TRUE.equals(held.get(p)))
                        .toList();
            } else if (field.endsWith(".extra")
                    && (field.startsWith("grants.") || field.startsWith("defaultPrivileges."))) {
                Map<String, Boolean> held = heldAt(fields, field.substring(0, field.length() - ".extra".length()));
                left = split(diff.getActual()).stream()
                        .filter(p -> !held.containsKey(p))
                        .toList();
            } else {
                kept.add(diff);
                continue;
            }
            if (!left.isEmpty()) {
                kept.add(diff.toBuilder().setActual(String.join(",", left)).build());
            }
        }
        return kept;
    }

    /** What the others give at {@code name}, with what a {@code *} of its kind and schema gives. */
    private static Map<String, Boolean> heldAt(Map<String, Map<String, Boolean>> fields, String name) {
        Map<String, Boolean> held = new LinkedHashMap<>(fields.getOrDefault(name, Map.of()));
        int lastDot = name.lastIndexOf('.');
        if (name.startsWith("grants.") && lastDot > 0) {
            fields.getOrDefault(name.substring(0, lastDot) + ".*", Map.of())
                    .forEach((p, option) -> held.merge(p, option, Boolean::logicalOr));
        }
        return held;
    }

    /** The provisioner's comma-joined list (a name with a comma stays unmatched, so its diff is kept). */
    private static List<String> split(String joined) {
        return joined.isEmpty() ? List.of() : Arrays.stream(joined.split(",")).collect(Collectors.toList());
    }
}
