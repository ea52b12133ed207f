package io.dbprovision.apiserver.e2e;

import io.dbprovision.apiserver.Main;
import java.io.IOException;

/**
 * {@link Main} for a {@link ServerChild}: it ends the server the moment its standard input ends. The test holds the
 * other end of that pipe, so when the test's JVM dies — killed, or a build interrupted — the server dies with it
 * instead of living on as an orphan that keeps reconciling the test's objects on the machine's engines under a later
 * run's feet.
 */
public final class ServerChildMain {
    private ServerChildMain() {}

    public static void main(String[] args) throws Exception {
        Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            try {
                while (System.in.read() != -1) {
                    // nothing is ever sent; only the end matters
                }
            } catch (IOException e) {
                // a broken pipe is an end too
            }
            Runtime.getRuntime().halt(3);
        });
        Main.main(args);
    }
}
