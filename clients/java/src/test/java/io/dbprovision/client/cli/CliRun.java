package io.dbprovision.client.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/** One in-process run of the CLI: its exit code and what it wrote to standard output and error. */
record CliRun(int code, String out, String err) {

    static CliRun of(Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CliMain.run(
                new Terminal(new PrintWriter(out, true), new PrintWriter(err, true), false, Map.of(), home), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
}
