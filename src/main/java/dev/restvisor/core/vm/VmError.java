package dev.restvisor.core.vm;

/** A KVM ioctl failure: an errno and, where one is at fault, the kvm.h field it concerns. */
public final class VmError extends RuntimeException {

    /** The errno the equivalent ioctl returns. */
    public enum Errno {
        EINVAL, ENOENT, EEXIST, EBUSY, E2BIG, ENOMEM
    }

    private final Errno errno;
    private final String field;

    public VmError(Errno errno, String field, String message) {
        super(message);
        this.errno = errno;
        this.field = field;
    }

    public Errno errno() {
        return errno;
    }

    /** The offending field, or null. */
    public String field() {
        return field;
    }
}
