package dev.restvisor.service.runtime;

import dev.restvisor.service.store.StoreException;

/**
 * A failure of the persistent catalog (images, definitions, snapshots) as the API reports it: the
 * store's reason in runtime terms, so the API does not reach into the store.
 */
public final class CatalogError extends RuntimeException {

    /** Why the catalog refused, one to one with the store's reasons. */
    public enum Kind {
        INVALID, NOT_FOUND, IN_USE, CONFLICT, CORRUPT, UNSUPPORTED_FORMAT, QUOTA, TOO_LARGE, STORAGE
    }

    private final Kind kind;
    private final String field;

    public CatalogError(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    static CatalogError of(StoreException e) {
        CatalogError error = new CatalogError(Kind.valueOf(e.kind().name()), e.field(), e.getMessage());
        error.initCause(e);
        return error;
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
