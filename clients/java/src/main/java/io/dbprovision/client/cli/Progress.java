package io.dbprovision.client.cli;

import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import java.io.PrintWriter;

/**
 * Shows a request converging, on standard error: on a terminal one line rewritten in place; otherwise (a log, a
 * pipe) one line per change, so a CI log reads as a history.
 */
final class Progress {
    private final PrintWriter err;
    private final boolean interactive;
    private String last = "";
    private int shownWidth;

    Progress(Terminal terminal) {
        this.err = terminal.err();
        this.interactive = terminal.interactive();
    }

    void show(RequestDatabaseProgress progress) {
        String line = Table.printable(describe(progress));
        if (line.equals(last)) {
            return;
        }
        last = line;
        if (interactive) {
            err.print("\r" + line + " ".repeat(Math.max(0, shownWidth - line.length())));
            shownWidth = line.length();
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Ends the rewritten line (once; later calls do nothing). */
    void done() {
        if (interactive && shownWidth > 0) {
            err.println();
            err.flush();
            shownWidth = 0;
        }
    }

    private static String describe(RequestDatabaseProgress progress) {
        if (!progress.getMessage().isEmpty()) {
            return progress.getMessage();
        }
        return "database " + phase(progress.getDatabase().getStatus().getPhase().name()) + ", user "
                + phase(progress.getUser().getStatus().getPhase().name());
    }

    private static String phase(String name) {
        int underscore = name.lastIndexOf('_');
        return underscore < 0 ? name : name.substring(underscore + 1).toLowerCase(java.util.Locale.ROOT);
    }
}
