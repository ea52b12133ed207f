package io.dbprovision.provisioner.engine.mysql;

import io.dbprovision.provisioner.engine.mysql.MySqlCatalog.Held;
import io.dbprovision.provisioner.engine.mysql.MySqlDefinitions.Wanted;
import io.dbprovision.provisioner.engine.mysql.PrivilegeScope.Level;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Wanted against held privileges in one scope, pure: what is missing, what is held beyond the wanted ones, and
 * whether GRANT OPTION must be added or may be removed. ALL counts as held when every privilege of the level is;
 * when ALL is wanted nothing in the scope is extra. A column's GRANT OPTION lives on its table (tables_priv).
 */
record GrantComparison(
        PrivilegeScope scope,
        Set<String> wanted,
        Set<String> held,
        Set<String> missing,
        Set<String> extra,
        boolean grantOptionMissing,
        boolean grantOptionExtra) {

    static GrantComparison of(MySqlFlavor flavor, PrivilegeScope scope, Wanted wanted, Map<PrivilegeScope, Held> all) {
        Held held = all.getOrDefault(scope, new Held(Set.of(), false));
        boolean heldOption = scope.level() == Level.COLUMN
                ? all.getOrDefault(PrivilegeScope.table(scope.database(), scope.object()), held)
                        .grantOption()
                : held.grantOption();
        Set<String> levelSet = MySqlPrivileges.levelSet(flavor, scope.level());
        Set<String> heldPrivileges = new LinkedHashSet<>(held.privileges());
        if (heldPrivileges.containsAll(levelSet)) {
            heldPrivileges.removeAll(levelSet);
            heldPrivileges.add(MySqlPrivileges.ALL);
        }
        Set<String> missing = new LinkedHashSet<>();
        for (String p : wanted.privileges()) {
            if (!heldPrivileges.contains(p) && !heldPrivileges.contains(MySqlPrivileges.ALL)) {
                missing.add(p);
            }
        }
        Set<String> extra = new LinkedHashSet<>();
        if (!wanted.privileges().contains(MySqlPrivileges.ALL)) {
            // From the raw rows, so that ALL held and SELECT wanted revokes the others, not ALL.
            for (String p : held.privileges()) {
                if (!wanted.privileges().contains(p)) {
                    extra.add(p);
                }
            }
        }
        return new GrantComparison(
                scope,
                wanted.privileges(),
                heldPrivileges,
                missing,
                extra,
                Boolean.TRUE.equals(wanted.grantOption()) && !heldOption,
                Boolean.FALSE.equals(wanted.grantOption()) && heldOption);
    }

    /** Wanted privileges that are held. */
    Set<String> heldWanted() {
        Set<String> s = new LinkedHashSet<>(wanted);
        s.removeAll(missing);
        return s;
    }
}
