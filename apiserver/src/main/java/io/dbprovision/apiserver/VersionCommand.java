package io.dbprovision.apiserver;

import picocli.CommandLine.Command;

/** Prints the build's version. */
@Command(name = "version", description = "Print the version and exit.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("dbprovision " + BuildInfo.version());
    }
}
