package io.dbprovision.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static RequestDatabaseProgress message(String text) {
        return RequestDatabaseProgress.newBuilder().setMessage(text).build();
    }

    private static String show(boolean interactive, String... messages) {
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(
                new PrintWriter(new StringWriter()), new PrintWriter(err), interactive, Map.of(), Path.of("."));
        Progress progress = new Progress(terminal);
        for (String text : messages) {
            progress.show(message(text));
        }
        progress.done();
        return err.toString();
    }

    @Test
    void withoutATerminalEachChangeIsALineOfItsOwn() {
        assertThat(show(false, "database orders: Creating", "database orders: Creating", "database orders: Ready"))
                .isEqualTo("database orders: Creating\ndatabase orders: Ready\n");
    }

    @Test
    void onATerminalOneLineIsRewrittenInPlace() {
        assertThat(show(true, "database orders: Creating", "user: Ready"))
                .isEqualTo("\rdatabase orders: Creating\ruser: Ready" + " ".repeat(14) + "\n");
    }

    @Test
    void controlCharactersFromTheServerNeverReachTheTerminal() {
        assertThat(show(false, "evil\u001b[2Jmessage")).isEqualTo("evil?[2Jmessage\n");
    }
}
