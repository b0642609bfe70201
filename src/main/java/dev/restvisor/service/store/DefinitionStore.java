package dev.restvisor.service.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * VM definitions as JSON documents (the runtime owns their shape), with the images each names, so
 * that the VMs come back after a restart and an image in use cannot be deleted.
 */
@Repository
@org.springframework.context.annotation.DependsOn("h2Durability")
public class DefinitionStore {

    /** A stored definition. */
    public record DefinitionRow(String id, String name, String definition, Instant createdAt) {
    }

    private static final RowMapper<DefinitionRow> ROW = (rs, n) -> new DefinitionRow(rs.getString("id"),
            rs.getString("name"), rs.getString("definition"), rs.getTimestamp("created_at").toInstant());

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public DefinitionStore(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Inserts or replaces the definition of a VM and the set of images it names. */
    public void save(String id, String name, String definition, Instant createdAt, Set<String> imageIds) {
        for (String image : imageIds) {
            Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM image WHERE id = ?", Integer.class, image);
            if (n == null || n == 0) {
                throw new StoreException(StoreException.Kind.NOT_FOUND, "boot", "there is no image with id " + image);
            }
        }
        try {
            tx.executeWithoutResult(status -> {
                Timestamp now = Timestamp.from(Instant.now());
                int updated = jdbc.update("UPDATE vm_definition SET name = ?, definition = ?, updated_at = ? WHERE id = ?",
                        name, definition, now, id);
                if (updated == 0) {
                    jdbc.update("INSERT INTO vm_definition (id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                            id, name, definition, Timestamp.from(createdAt), now);
                }
                jdbc.update("DELETE FROM vm_definition_image WHERE vm_id = ?", id);
                for (String image : imageIds) {
                    jdbc.update("INSERT INTO vm_definition_image (vm_id, image_id) VALUES (?, ?)", id, image);
                }
            });
        } catch (DataAccessException | org.springframework.transaction.TransactionException e) {
            throw StorageErrors.translate(e, "the VM definition", jdbc);
        }
    }

    /** Every stored definition, oldest first. */
    public List<DefinitionRow> list() {
        return jdbc.query("SELECT id, name, definition, created_at FROM vm_definition ORDER BY created_at, id", ROW);
    }

    /** Deletes a definition with every snapshot of the VM. */
    public void delete(String id) {
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("UPDATE snapshot SET parent_id = NULL WHERE vm_id = ?", id);
                jdbc.update("DELETE FROM snapshot_chunk WHERE snapshot_id IN (SELECT id FROM snapshot WHERE vm_id = ?)", id);
                jdbc.update("DELETE FROM snapshot WHERE vm_id = ?", id);
                jdbc.update("DELETE FROM vm_definition_image WHERE vm_id = ?", id);
                jdbc.update("DELETE FROM vm_definition WHERE id = ?", id);
            });
        } catch (DataAccessException | org.springframework.transaction.TransactionException e) {
            throw StorageErrors.translate(e, "the deletion", jdbc);
        }
    }
}
