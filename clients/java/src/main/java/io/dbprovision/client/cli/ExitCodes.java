package io.dbprovision.client.cli;

import io.dbprovision.client.errors.DbProvisionException;
import io.dbprovision.client.errors.DeadlineExceededException;
import io.dbprovision.client.errors.FailedPreconditionException;
import io.dbprovision.client.errors.NotFoundException;
import io.dbprovision.client.errors.PermissionDeniedException;
import io.dbprovision.client.errors.UnauthenticatedException;

/** The CLI's exit codes, for scripts; {@code --help} lists them. */
final class ExitCodes {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int DENIED = 4;
    static final int TIMEOUT = 5;
    static final int FAILED = 6;

    /** For picocli's exit code list in the help: "code:description". */
    static final String[] HELP = {
        "0:Success.",
        "1:Any other error (unreachable server, invalid object, conflict, bad configuration).",
        "2:Usage error (unknown option, missing argument).",
        "3:Not found.",
        "4:Permission denied or not authenticated.",
        "5:Timed out (--timeout; a requested database goes on converging).",
        "6:Failed precondition, or an object Failed.",
    };

    private ExitCodes() {}

    static int of(DbProvisionException failure) {
        return switch (failure) {
            case NotFoundException ignored -> NOT_FOUND;
            case PermissionDeniedException ignored -> DENIED;
            case UnauthenticatedException ignored -> DENIED;
            case DeadlineExceededException ignored -> TIMEOUT;
            case FailedPreconditionException ignored -> FAILED;
            default -> ERROR;
        };
    }
}
