package dev.restvisor.service.store;

import dev.restvisor.core.vm.VmState;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The snapshot catalog. A snapshot is written in one transaction (its row and every chunk), so a
 * crash in the middle leaves no trace of it. Reading verifies the whole chain (format versions,
 * every checksum, chunk counts) before anything of the VM is touched.
 */
@Repository
@org.springframework.context.annotation.DependsOn("h2Durability")
public class SnapshotStore {

    /** A snapshot as the catalog lists it; {@code size} is the stored (compressed) bytes. */
    public record SnapshotRow(String id, String vmId, String name, String parentId, Instant createdAt, long size,
                              int formatVersion) {
    }

    private static final RowMapper<SnapshotRow> ROW = (rs, n) -> new SnapshotRow(rs.getString("id"),
            rs.getString("vm_id"), rs.getString("name"), rs.getString("parent_id"),
            rs.getTimestamp("created_at").toInstant(), rs.getLong("size"), rs.getInt("format_version"));
    private static final String COLUMNS = "id, vm_id, name, parent_id, created_at, size, format_version";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final StoreProperties properties;

    public SnapshotStore(JdbcTemplate jdbc, TransactionTemplate tx, StoreProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.properties = properties;
    }

    /**
     * Compresses and stores a capture as one transaction.
     *
     * @param definition the VM definition (JSON) a clone is made from
     */
    public SnapshotRow write(String vmId, String name, String definition, VmState state, CapturedMemory memory) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new StoreException(StoreException.Kind.INVALID, "name", "name must be 1 to 100 characters");
        }
        byte[] stateBytes = SnapshotFormat.encode(state, memory.layout());
        List<byte[]> chunks = memory.chunks().stream().map(ChunkCodec::encode).toList();
        MessageDigest sha = ImageStore.sha256();
        sha.update(stateBytes);
        long size = stateBytes.length;
        for (byte[] c : chunks) {
            sha.update(c, c.length - 4, 4);
            size += c.length;
        }
        String checksum = HexFormat.of().formatHex(sha.digest());
        long total = size;
        Instant now = Instant.now();
        try {
            tx.executeWithoutResult(status -> {
                Long used = jdbc.queryForObject("SELECT COALESCE(SUM(size), 0) FROM snapshot", Long.class);
                if (used + total > properties.maxSnapshotBytes()) {
                    throw new StoreException(StoreException.Kind.QUOTA, null, String.format(
                            "the snapshot needs %d bytes and the catalog holds %d of its %d-byte snapshot limit; delete snapshots first",
                            total, used, properties.maxSnapshotBytes()));
                }
                jdbc.update("INSERT INTO snapshot (id, vm_id, name, parent_id, created_at, format_version, definition, state,"
                                + " chunk_count, size, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        memory.snapshotId(), vmId, name, memory.parentId(), Timestamp.from(now), SnapshotFormat.VERSION,
                        definition, stateBytes, chunks.size(), total, checksum);
                jdbc.batchUpdate("INSERT INTO snapshot_chunk (snapshot_id, seq, data) VALUES (?, ?, ?)",
                        new BatchPreparedStatementSetter() {
                            @Override
                            public void setValues(PreparedStatement ps, int i) throws SQLException {
                                ps.setString(1, memory.snapshotId());
                                ps.setInt(2, i);
                                ps.setBytes(3, chunks.get(i));
                            }

                            @Override
                            public int getBatchSize() {
                                return chunks.size();
                            }
                        });
            });
        } catch (DataAccessException | org.springframework.transaction.TransactionException e) {
            throw StorageErrors.translate(e, "the snapshot", jdbc);
        }
        return new SnapshotRow(memory.snapshotId(), vmId, name, memory.parentId(), now, total, SnapshotFormat.VERSION);
    }

    public List<SnapshotRow> list(String vmId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM snapshot WHERE vm_id = ? ORDER BY created_at, id", ROW, vmId);
    }

    /** The snapshot of this VM with this id; NOT_FOUND otherwise. */
    public SnapshotRow get(String vmId, String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM snapshot WHERE id = ? AND vm_id = ?", ROW, id, vmId).stream()
                .findFirst().orElseThrow(() -> new StoreException(StoreException.Kind.NOT_FOUND, "sid",
                        "VM " + vmId + " has no snapshot with id " + id));
    }

    /** The VM definition (JSON) stored with the snapshot. */
    public String definition(String id) {
        return jdbc.queryForObject("SELECT definition FROM snapshot WHERE id = ?", String.class, id);
    }

    /**
     * Reads and verifies a snapshot and its chain of parents.
     *
     * @param partTypes the state record type of each stateful part of the VM it will be restored into
     */
    public LoadedSnapshot load(String vmId, String id, Map<String, Class<? extends Record>> partTypes) {
        get(vmId, id);
        List<LoadedSnapshot.Link> chain = new ArrayList<>();
        String next = id;
        while (next != null) {
            String current = next;
            record Meta(String parent, byte[] state, int chunkCount, String checksum) {
            }
            Meta meta = jdbc.queryForObject("SELECT parent_id, state, chunk_count, checksum FROM snapshot WHERE id = ?",
                    (rs, n) -> new Meta(rs.getString(1), rs.getBytes(2), rs.getInt(3), rs.getString(4)), current);
            SnapshotFormat.Decoded decoded = SnapshotFormat.decode(current, meta.state(), partTypes);
            List<ChunkCodec.Chunk> chunks = new ArrayList<>();
            MessageDigest sha = ImageStore.sha256();
            sha.update(meta.state());
            jdbc.query("SELECT seq, data FROM snapshot_chunk WHERE snapshot_id = ? ORDER BY seq", rs -> {
                int seq = rs.getInt(1);
                if (seq != chunks.size()) {
                    throw SnapshotFormat.corrupt(current, "memory chunk " + chunks.size() + " is missing");
                }
                ChunkCodec.Chunk c = ChunkCodec.decode(current, seq, rs.getBytes(2));
                sha.update(ByteBuffer.allocate(4).putInt(c.crc()).array());
                chunks.add(c);
            }, current);
            if (chunks.size() != meta.chunkCount()) {
                throw SnapshotFormat.corrupt(current, "it is truncated: " + chunks.size() + " of " + meta.chunkCount()
                        + " memory chunks are present");
            }
            if (!HexFormat.of().formatHex(sha.digest()).equals(meta.checksum())) {
                throw SnapshotFormat.corrupt(current, "its contents do not match the SHA-256 recorded when it was written");
            }
            chain.addFirst(new LoadedSnapshot.Link(current, decoded, chunks));
            next = meta.parent();
        }
        return new LoadedSnapshot(chain);
    }

    /** Deletes a snapshot that no diff snapshot is based on. */
    public void delete(String vmId, String id) {
        get(vmId, id);
        List<String> children = jdbc.queryForList("SELECT id FROM snapshot WHERE parent_id = ? ORDER BY id", String.class, id);
        if (!children.isEmpty()) {
            throw new StoreException(StoreException.Kind.IN_USE, "sid", "snapshot " + id
                    + " is the parent of diff snapshot " + String.join(", ", children) + "; delete those first");
        }
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("DELETE FROM snapshot_chunk WHERE snapshot_id = ?", id);
                jdbc.update("DELETE FROM snapshot WHERE id = ?", id);
            });
        } catch (DataAccessException | org.springframework.transaction.TransactionException e) {
            throw StorageErrors.translate(e, "the deletion", jdbc);
        }
    }
}
