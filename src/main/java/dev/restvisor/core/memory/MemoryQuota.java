package dev.restvisor.core.memory;

/**
 * Admission control for guest RAM. A slot reserves its bytes before anything is allocated, so
 * exceeding a limit is an ordinary error and never an OutOfMemoryError.
 */
public interface MemoryQuota {

    /** Reserves {@code bytes}; throws {@link MemoryRegionException} naming the limit when it would be exceeded. */
    void reserve(long bytes);

    void release(long bytes);

    /** A quota without limit, for tests and tools. */
    MemoryQuota UNLIMITED = new MemoryQuota() {
        @Override public void reserve(long bytes) { }
        @Override public void release(long bytes) { }
    };
}
