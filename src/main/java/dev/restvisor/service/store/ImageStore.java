package dev.restvisor.service.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Uploaded images (kernels, initrds, flat binaries), identified by SHA-256: uploading bytes that
 * are already stored gives back the stored image. Content is kept in rows of {@link #CHUNK} bytes.
 */
@Repository
@org.springframework.context.annotation.DependsOn("h2Durability")
public class ImageStore {
    static final int CHUNK = 1 << 20;

    /** An image as the catalog lists it. */
    public record ImageRow(String id, String name, String sha256, long size, Instant createdAt) {
    }

    /** The outcome of an upload: the image, and whether this upload stored it. */
    public record Upload(ImageRow image, boolean created) {
    }

    private static final RowMapper<ImageRow> ROW = (rs, n) -> new ImageRow(rs.getString("id"), rs.getString("name"),
            rs.getString("sha256"), rs.getLong("size"), rs.getTimestamp("created_at").toInstant());

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final StoreProperties properties;

    public ImageStore(JdbcTemplate jdbc, TransactionTemplate tx, StoreProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.properties = properties;
    }

    /** Stores the stream's bytes as an image, or returns the stored image with the same SHA-256. */
    public Upload put(String name, InputStream in) {
        if (name == null || name.isBlank() || name.length() > 255) {
            throw new StoreException(StoreException.Kind.INVALID, "name", "name must be 1 to 255 characters");
        }
        String id = UUID.randomUUID().toString();
        try {
            ImageRow stored = tx.execute(status -> {
                MessageDigest sha = sha256();
                long size = 0;
                int seq = 0;
                byte[] buf = new byte[CHUNK];
                while (true) {
                    int n = read(in, buf);
                    if (n == 0) {
                        break;
                    }
                    size += n;
                    if (size > properties.maxImageBytes()) {
                        throw new StoreException(StoreException.Kind.TOO_LARGE, "body",
                                "an image may hold at most " + properties.maxImageBytes() + " bytes");
                    }
                    sha.update(buf, 0, n);
                    if (seq == 0) {
                        jdbc.update("INSERT INTO image (id, name, sha256, size, created_at) VALUES (?, ?, ?, ?, ?)",
                                id, name, "pending:" + id, 0L, Timestamp.from(Instant.now()));
                    }
                    jdbc.update("INSERT INTO image_chunk (image_id, seq, data) VALUES (?, ?, ?)", id, seq++,
                            Arrays.copyOf(buf, n));
                }
                if (size == 0) {
                    throw new StoreException(StoreException.Kind.INVALID, "body", "an image must hold at least one byte");
                }
                String digest = HexFormat.of().formatHex(sha.digest());
                List<ImageRow> same = jdbc.query("SELECT * FROM image WHERE sha256 = ?", ROW, digest);
                if (!same.isEmpty()) {
                    status.setRollbackOnly();
                    return same.getFirst();
                }
                jdbc.update("UPDATE image SET sha256 = ?, size = ? WHERE id = ?", digest, size, id);
                return null;
            });
            return stored != null ? new Upload(stored, false) : new Upload(get(id), true);
        } catch (UncheckedIOException e) {
            throw new StoreException(StoreException.Kind.INVALID, "body", "the upload was cut short: " + e.getCause().getMessage());
        } catch (DuplicateKeyException e) {
            return new Upload(jdbc.query("SELECT * FROM image WHERE sha256 = (SELECT sha256 FROM image WHERE id = ?)", ROW, id)
                    .stream().findFirst().orElseThrow(() -> e), false);
        } catch (DataAccessException | org.springframework.transaction.TransactionException e) {
            throw StorageErrors.translate(e, "the image", jdbc);
        }
    }

    public List<ImageRow> list() {
        return jdbc.query("SELECT * FROM image ORDER BY created_at, id", ROW);
    }

    public ImageRow get(String id) {
        return jdbc.query("SELECT * FROM image WHERE id = ?", ROW, id).stream().findFirst()
                .orElseThrow(() -> new StoreException(StoreException.Kind.NOT_FOUND, "id", "there is no image with id " + id));
    }

    /** The image's bytes. */
    public byte[] content(String id) {
        ImageRow image = get(id);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(image.size(), Integer.MAX_VALUE - 8));
        jdbc.query("SELECT data FROM image_chunk WHERE image_id = ? ORDER BY seq",
                rs -> {
                    out.writeBytes(rs.getBytes(1));
                }, id);
        return out.toByteArray();
    }

    /** Deletes an image that no definition names. */
    public void delete(String id) {
        get(id);
        List<String> users = jdbc.queryForList("SELECT vm_id FROM vm_definition_image WHERE image_id = ? ORDER BY vm_id",
                String.class, id);
        if (!users.isEmpty()) {
            throw new StoreException(StoreException.Kind.IN_USE, "id",
                    "image " + id + " is used by the definition of VM " + String.join(", ", users));
        }
        try {
            tx.executeWithoutResult(status -> {
                jdbc.update("DELETE FROM image_chunk WHERE image_id = ?", id);
                jdbc.update("DELETE FROM image WHERE id = ?", id);
            });
        } catch (DataAccessException | org.springframework.transaction.TransactionException e) {
            throw StorageErrors.translate(e, "the deletion", jdbc);
        }
    }

    private static int read(InputStream in, byte[] buf) {
        try {
            return in.readNBytes(buf, 0, buf.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
