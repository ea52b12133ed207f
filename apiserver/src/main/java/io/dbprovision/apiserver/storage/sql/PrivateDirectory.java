package io.dbprovision.apiserver.storage.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded store's directory to the server's user. Java cannot set the umask, and H2 creates its files
 * (the store, its trace file, temporary files) with whatever the umask gives, often 0644. So the directory is made
 * 0700 before H2 opens anything in it: other users cannot enter it, whatever the mode of the files inside; and the
 * files found there are set to 0600 after opening and after closing, so a copy or a later change of the directory's
 * mode does not expose them either. On a file system without POSIX permissions this does nothing.
 */
final class PrivateDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateDirectory.class);
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateDirectory() {}

    /** Creates {@code directory} (and missing parents) with mode 0700, or sets an existing one to 0700. */
    static void secure(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory.getParent());
                try {
                    Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectory(directory);
                } catch (FileAlreadyExistsException e) {
                    // created meanwhile: its mode is set below
                }
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(directory);
            if (!mode.equals(DIRECTORY)) {
                Files.setPosixFilePermissions(directory, DIRECTORY);
                LOG.info(
                        "made the store directory {} private to the server's user (was {})",
                        directory,
                        PosixFilePermissions.toString(mode));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the store directory " + directory + " private", e);
        }
    }

    /** Sets every regular file directly in {@code directory} to 0600. */
    static void secureFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try {
                    Files.setPosixFilePermissions(file, FILE);
                } catch (java.nio.file.NoSuchFileException e) {
                    // a temporary file, gone meanwhile
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the store's files in " + directory + " private", e);
        }
    }
}
