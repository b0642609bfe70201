package dev.restvisor.core.boot;

/** An image or boot request that cannot be loaded; {@link #field()} names the request member at fault. */
public final class BootException extends RuntimeException {
    private final String field;

    public BootException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
