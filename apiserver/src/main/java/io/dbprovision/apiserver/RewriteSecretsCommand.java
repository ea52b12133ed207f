package io.dbprovision.apiserver;

import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.encryption.EncryptionConfiguration;
import io.dbprovision.apiserver.storage.encryption.EncryptionRewriter;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dbprovision rewrite-secrets}: after a key rotation, rewrites every stored object of the configured resources
 * that is not yet under the configuration's first provider, as {@code kubectl get secrets -A -o json | kubectl
 * replace -f -} does for the kube-apiserver — without sending the Secrets anywhere. The embedded store is locked by a
 * running server, so this runs with the server stopped.
 */
@Command(
        name = "rewrite-secrets",
        mixinStandardHelpOptions = true,
        description = "Re-encrypt the stored Secrets of a standalone data directory under the first provider of an"
                + " EncryptionConfiguration (run with the server stopped).")
final class RewriteSecretsCommand implements Callable<Integer> {
    @Option(
            names = "--data-dir",
            defaultValue = "dbprovision-data",
            description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--encryption-provider-config",
            required = true,
            description = "The EncryptionConfiguration the server will run with (its first provider encrypts).")
    Path config;

    @Override
    public Integer call() {
        StorageSettings settings = StorageSettings.defaults()
                .withEncryption(EncryptionConfiguration.load(config).transformer());
        try (CachingStorage storage =
                CachingStorage.open(new EmbeddedBackend(dataDir.resolve("store"), true), settings)) {
            EncryptionRewriter.Result result = new EncryptionRewriter(storage).rewrite();
            System.out.printf(
                    "rewritten: %d, changed meanwhile: %d, still under an older provider: %d%n",
                    result.rewritten(), result.changedMeanwhile(), result.remaining());
            return result.remaining() == 0 ? 0 : 1;
        }
    }
}
