package dev.restvisor.service.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** Turns a database failure into a {@link StoreException} whose message says what the operator can do. */
final class StorageErrors {
    private StorageErrors() {
    }

    /**
     * Translates a failed catalog write. When the write failed inside an embedded H2 store (a full
     * disk), H2 has stopped that database in memory: it answers reads from its cache but refuses
     * every later write with the same failure, even once space is freed, for as long as a session
     * keeps it open (and the pool keeps sessions open). So it is shut down here and the pool's
     * connections renewed: the next connection opens the database again from its file, which holds
     * every commit acknowledged before the failure (see {@link H2Durability}).
     */
    static StoreException translate(RuntimeException e, String what, JdbcTemplate jdbc) {
        if (embeddedStoreFailed(e)) {
            reopenEmbeddedDatabase(jdbc);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("could not extend file")
                    || m.contains("disk full") || m.contains("Disk full"))) {
                return new StoreException(StoreException.Kind.STORAGE, null,
                        "the disk holding the catalog is full; " + what + " was not written and earlier data is intact", e);
            }
        }
        return new StoreException(StoreException.Kind.STORAGE, null,
                "the catalog database failed; " + what + " was not written and earlier data is intact", e);
    }

    /** True when H2's MVStore failed (its write failed, or the database it closed is used). */
    private static boolean embeddedStoreFailed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals("org.h2.mvstore.MVStoreException")
                    || t instanceof SQLException s && s.getErrorCode() == H2_DATABASE_IS_CLOSED
                    || t.getMessage() != null && t.getMessage().contains("org.h2.mvstore.MVStoreException")) {
                return true;
            }
        }
        return false;
    }

    /** H2's ErrorCode.DATABASE_IS_CLOSED. */
    private static final int H2_DATABASE_IS_CLOSED = 90098;

    private static void reopenEmbeddedDatabase(JdbcTemplate jdbc) {
        try {
            jdbc.execute("SHUTDOWN IMMEDIATELY");
        } catch (RuntimeException alreadyClosed) {
            // the session or the database is closed already; either way no session keeps it open
        }
        renewConnections(jdbc.getDataSource());
        H2Durability.apply(jdbc);
    }

    private static void renewConnections(DataSource ds) {
        try {
            if (ds != null && ds.isWrapperFor(HikariDataSource.class)) {
                HikariDataSource pool = ds.unwrap(HikariDataSource.class);
                if (pool.getHikariPoolMXBean() != null) {
                    pool.getHikariPoolMXBean().softEvictConnections();
                }
            }
        } catch (SQLException | RuntimeException ignored) {
            // renewing is a courtesy: the pool also drops connections that fail validation
        }
    }
}
