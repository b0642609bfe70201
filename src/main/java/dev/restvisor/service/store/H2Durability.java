package dev.restvisor.service.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Makes every commit to an embedded H2 reach its file before the commit returns. By default H2's
 * MVStore writes committed changes from a background thread up to a second later: a catalog write
 * answered 201 could still be lost to a kill, and a full disk surfaced only in that background
 * thread, after the client had been told the snapshot was stored, and then closed the database
 * with the earlier, unwritten commits lost. With {@code WRITE_DELAY 0} the write of a commit
 * happens in the committing request, so a full disk fails that request (507) and every commit
 * acknowledged earlier is already in the file. PostgreSQL commits durably by itself.
 */
@Component
public class H2Durability {
    private static final Logger LOG = LoggerFactory.getLogger(H2Durability.class);

    public H2Durability(JdbcTemplate jdbc) {
        apply(jdbc);
    }

    /** Sets {@code WRITE_DELAY 0} when the database is H2 (again after H2 was reopened). */
    static void apply(JdbcTemplate jdbc) {
        try {
            String product = jdbc.execute((ConnectionCallback<String>) c -> c.getMetaData().getDatabaseProductName());
            if ("H2".equals(product)) {
                jdbc.execute("SET WRITE_DELAY 0");
            }
        } catch (DataAccessException e) {
            LOG.warn("could not make H2 commits synchronous (SET WRITE_DELAY 0 needs an admin user): {}", e.getMessage());
        }
    }
}
