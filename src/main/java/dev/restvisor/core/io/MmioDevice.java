package dev.restvisor.core.io;

/** A device on the MMIO bus. Offsets are relative to the base of the claimed range. */
public interface MmioDevice {

    /** Reads {@code size} (1, 2, 4 or 8) bytes at {@code offset}, zero-extended. */
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
