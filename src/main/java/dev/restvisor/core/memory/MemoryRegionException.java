package dev.restvisor.core.memory;

/** A KVM_SET_MEMORY_REGION request that cannot be honoured; {@link #kind} maps to a KVM errno. */
public final class MemoryRegionException extends RuntimeException {

    /** Why the request failed, in errno terms. */
    public enum Kind {
        /** EINVAL: misaligned, zero-sized where not allowed, resize of a live slot, bad flags. */
        INVALID,
        /** EEXIST: overlaps another slot. */
        OVERLAP,
        /** ENOENT: no such slot. */
        NOT_FOUND,
        /** ENOMEM / quota: a per-VM or total memory limit would be exceeded. */
        QUOTA
    }

    private final Kind kind;
    private final String field;

    public MemoryRegionException(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    /** The kvm_userspace_memory_region field at fault, or null. */
    public String field() {
        return field;
    }
}
