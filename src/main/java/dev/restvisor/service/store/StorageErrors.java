package dev.restvisor.service.store;

import org.springframework.dao.DataAccessException;

/** Turns a database failure into a {@link StoreException} whose message says what the operator can do. */
final class StorageErrors {
    private StorageErrors() {
    }

    static StoreException translate(DataAccessException e, String what) {
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
}
