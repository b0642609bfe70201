package dev.restvisor.service.store;

/** A catalog operation that cannot be done; {@link #kind} says why in terms a client can act on. */
public final class StoreException extends RuntimeException {

    /** Why the operation failed. */
    public enum Kind {
        /** A request value the catalog cannot take. */
        INVALID,
        /** No such image or snapshot. */
        NOT_FOUND,
        /** The item is still used: an image by a definition, a snapshot by a diff child. */
        IN_USE,
        /** The request contradicts the catalog (a diff whose parent is not the VM's latest snapshot). */
        CONFLICT,
        /** A stored snapshot fails its checksum or is cut short. */
        CORRUPT,
        /** A stored snapshot was written in a format version this service does not read. */
        UNSUPPORTED_FORMAT,
        /** A configured size limit would be exceeded. */
        QUOTA,
        /** An upload is larger than allowed. */
        TOO_LARGE,
        /** The database could not write: disk full or storage failure. Earlier data is intact. */
        STORAGE
    }

    private final Kind kind;
    private final String field;

    public StoreException(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    public StoreException(Kind kind, String field, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
