package dev.restvisor.core.cpu.mmu;

/**
 * The vcpu's access path for paging-structure entries in physical memory no RAM slot backs: an MMIO device,
 * or an MMIO exit whose answer the VM client gives. Either method may leave the walk with an exception of the
 * implementor's choosing; the walk then runs again from its start, and the implementor answers the reads it
 * already made the same way and does not repeat a write it already made.
 */
public interface TableMemory {
    /** Reads the {@code width}-byte (4 or 8) entry at physical address {@code pa}. */
    long readEntry(long pa, int width);

    /** Writes the entry back with its accessed or dirty flag set. */
    void writeEntry(long pa, int width, long entry);
}
