package io.dbprovision.apiserver.server;

import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.ValueTransformer;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a server keeps its objects ({@code --storage-backend}): the embedded store in a data directory (one replica),
 * or a PostgreSQL database that several replicas share. Opens the backend under {@link CachingStorage}.
 */
public sealed interface StorageChoice {

    /** Opens the store; loads every object into memory before returning. @param values Secrets at rest */
    CachingStorage open(ValueTransformer values);

    /** What a startup line may say about it: never a password. */
    String describe();

    /** The embedded store (H2) in {@code dataDir}: fine for one replica, not for several. */
    record Embedded(Path dataDir, boolean fsync) implements StorageChoice {
        @Override
        public CachingStorage open(ValueTransformer values) {
            return CachingStorage.open(
                    new EmbeddedBackend(dataDir.resolve("store"), fsync),
                    StorageSettings.defaults().withFsync(fsync).withEncryption(values));
        }

        @Override
        public String describe() {
            return "embedded store in " + dataDir.toAbsolutePath() + " (fsync " + (fsync ? "on" : "off") + ")";
        }
    }

    /**
     * A PostgreSQL database shared by every replica.
     *
     * @param jdbcUrl {@code jdbc:postgresql://host:5432/database?sslmode=verify-full…}, without a password: a command
     *     line is readable by every user of the machine
     * @param user the role to connect as; empty: the URL's {@code user} parameter
     * @param passwordFile a file holding the password (a mounted Secret; a trailing newline is ignored); empty: no
     *     password, or the driver's {@code .pgpass} file ({@code PGPASSFILE}), as libpq reads it
     */
    record Postgres(String jdbcUrl, Optional<String> user, Optional<Path> passwordFile) implements StorageChoice {
        public Postgres {
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException(
                        "--storage-postgres-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/database)");
            }
            if (jdbcUrl.toLowerCase(Locale.ROOT).matches(".*[?&]password=.*")) {
                throw new IllegalArgumentException("--storage-postgres-url must not hold the password (a command line"
                        + " is readable by every user of the machine): put it in --storage-postgres-password-file");
            }
        }

        @Override
        public CachingStorage open(ValueTransformer values) {
            return CachingStorage.open(
                    new PostgresBackend(
                            jdbcUrl,
                            user.orElse(null),
                            passwordFile.map(Postgres::password).orElse(null)),
                    StorageSettings.defaults().withEncryption(values));
        }

        @Override
        public String describe() {
            return "PostgreSQL at " + jdbcUrl + user.map(u -> " as " + u).orElse("")
                    + passwordFile.map(f -> ", password from " + f).orElse("");
        }

        private static String password(Path file) {
            try {
                String content = Files.readString(file, StandardCharsets.UTF_8);
                // a Secret written with `echo` ends in a newline that is not part of the password
                return content.endsWith("\r\n")
                        ? content.substring(0, content.length() - 2)
                        : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --storage-postgres-password-file " + file + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
    }
}
