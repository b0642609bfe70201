package dev.restvisor.core.io;

/** A device on the port I/O bus. Offsets are relative to the base of the claimed range. */
public interface PortIoDevice {

    /** Reads {@code size} (1, 2 or 4) bytes at {@code offset}; the result is zero-extended. */
    int read(int offset, int size);

    /** Writes the low {@code size} bytes of {@code value} at {@code offset}. */
    void write(int offset, int size, int value);
}
