package io.dbprovision.apiserver.storage.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.mvstore.MVStore;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The default store: an H2 database file in the data directory. {@code WRITE_DELAY=0} writes every commit to the
 * file before it returns, so an acknowledged write survives {@code kill -9} (H2's default delays writes and loses
 * hundreds of commits per kill). With fsync on, {@code CHECKPOINT SYNC} after each group commit also survives a
 * power loss; one sync covers every write of the batch, which is what keeps throughput up.
 *
 * <p>After an unclean shutdown the file is first recovered with a full scan, see {@link #recoverAfterCrash}.
 *
 * <p>The directory is the store's alone and private to the server's user (0700, its files 0600): it holds every
 * object, and every Secret that is not encrypted at rest, see {@link PrivateDirectory}.
 */
public final class EmbeddedBackend implements SqlBackend {
    private final Path directory;
    private final Path file;
    private final JdbcConnectionPool pool;
    private final DSLContext dsl;
    private final boolean fsync;

    public EmbeddedBackend(Path directory, boolean fsync) {
        this.directory = directory.toAbsolutePath();
        PrivateDirectory.secure(this.directory);
        this.file = this.directory.resolve("store");
        recoverAfterCrash(Path.of(file + ".mv.db"));
        String url = "jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
        this.pool = JdbcConnectionPool.create(url, "dbprovision", "");
        this.pool.setMaxConnections(16);
        this.dsl = DSL.using(pool, SQLDialect.H2);
        this.fsync = fsync;
        // H2 creates its files with the process's umask (often 0644); the directory already keeps other users out,
        // and the files themselves are made private too, so copying the directory elsewhere does not expose them.
        try {
            dsl.fetchValue("select 1");
            PrivateDirectory.secureFiles(this.directory);
        } catch (RuntimeException e) {
            pool.dispose();
            throw e;
        }
    }

    /**
     * H2 2.2 and later can lose the newest acknowledged commits when the process dies (measured: up to a few dozen
     * per {@code kill -9}, with fsync on or off). A commit written into reused space in the middle of the file is
     * reachable after a crash only through the store header, and H2 rewrites the header pointing at the chunk
     * <em>before</em> the one it just wrote ({@code FileStore.storeBuffer} sets {@code lastChunk} only after
     * {@code RandomAccessStore.writeChunk} wrote the header; 2.1 set it before). Its quick recovery then follows the
     * chain of predicted chunk positions from that older chunk and stops short of the newest ones. H2's recovery mode
     * scans the whole file for the newest complete set of chunks instead, and closing the store then writes a clean
     * header pointing at it, which the database open below trusts. So whenever H2's header does not record a clean
     * shutdown, the file goes through that scan first (its cost is a read of the file, only after a crash).
     */
    static void recoverAfterCrash(Path mvFile) {
        if (!Files.exists(mvFile) || cleanlyShutDown(mvFile)) {
            return;
        }
        MVStore.Builder builder =
                new MVStore.Builder().fileName(mvFile.toString()).recoveryMode();
        builder.open().close();
    }

    /** Whether both copies of H2's store header are intact, identical and carry the clean shutdown mark. */
    private static boolean cleanlyShutDown(Path mvFile) {
        int block = 4096;
        try (FileChannel channel = FileChannel.open(mvFile, StandardOpenOption.READ)) {
            ByteBuffer headers = ByteBuffer.allocate(2 * block);
            while (headers.hasRemaining() && channel.read(headers, headers.position()) > 0) {
                // read both header blocks
            }
            if (headers.hasRemaining()) {
                return false;
            }
            byte[] bytes = headers.array();
            byte[] first = Arrays.copyOfRange(bytes, 0, block);
            if (!Arrays.equals(first, Arrays.copyOfRange(bytes, block, 2 * block))) {
                return false;
            }
            String header = new String(first, StandardCharsets.ISO_8859_1).trim();
            return header.startsWith("H:") && ("," + header + ",").contains(",clean:1,");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the store " + mvFile, e);
        }
    }

    @Override
    public DSLContext dsl() {
        return dsl;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public void syncAfterCommit() {
        if (fsync) {
            dsl.execute("CHECKPOINT SYNC");
        }
    }

    @Override
    public String describe() {
        return "embedded H2 at " + file + ".mv.db" + (fsync ? " (fsync on)" : " (fsync off)");
    }

    @Override
    public void close() {
        try {
            dsl.execute("SHUTDOWN");
        } catch (RuntimeException ignored) {
            // already closed
        }
        pool.dispose();
        PrivateDirectory.secureFiles(directory); // files H2 created while running, such as its trace file
    }
}
