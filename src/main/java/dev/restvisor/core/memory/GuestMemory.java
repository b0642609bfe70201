package dev.restvisor.core.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The guest physical address space of one VM as KVM_SET_MEMORY_REGION builds it: up to
 * {@link #MAX_SLOTS} non-overlapping slots. Lookups are lock-free reads of an immutable array;
 * changes are serialized and publish a new array.
 */
public final class GuestMemory {
    public static final int MAX_SLOTS = 32;
    /** Highest guest physical address plus one that a slot may reach (52-bit MAXPHYADDR). */
    public static final long MAX_PHYS = 1L << 52;

    private final MemoryQuota quota;
    private volatile MemorySlot[] slots = new MemorySlot[0];
    private MemorySlot.CodeWriteListener codeWriteListener;

    public GuestMemory(MemoryQuota quota) {
        this.quota = quota;
    }

    /**
     * KVM_SET_MEMORY_REGION: creates, re-flags or (with size 0) deletes a slot.
     *
     * @return the slot now in place, or null after a delete
     */
    public synchronized MemorySlot setRegion(int slot, int flags, long guestPhysAddr, long memorySize) {
        if (slot < 0 || slot >= MAX_SLOTS) {
            throw new MemoryRegionException(MemoryRegionException.Kind.INVALID, "slot",
                    "slot must be between 0 and " + (MAX_SLOTS - 1));
        }
        if ((flags & ~(MemorySlot.LOG_DIRTY_PAGES | MemorySlot.READONLY)) != 0) {
            throw new MemoryRegionException(MemoryRegionException.Kind.INVALID, "flags",
                    "flags may only contain KVM_MEM_LOG_DIRTY_PAGES (1) and KVM_MEM_READONLY (2)");
        }
        MemorySlot existing = find(slot);
        if (memorySize == 0) {
            if (existing == null) {
                throw new MemoryRegionException(MemoryRegionException.Kind.NOT_FOUND, "slot", "slot " + slot + " does not exist");
            }
            remove(existing);
            return null;
        }
        if ((guestPhysAddr & (MemorySlot.PAGE_SIZE - 1)) != 0 || guestPhysAddr < 0) {
            throw new MemoryRegionException(MemoryRegionException.Kind.INVALID, "guest_phys_addr",
                    "guest_phys_addr must be a multiple of 4096");
        }
        if ((memorySize & (MemorySlot.PAGE_SIZE - 1)) != 0 || memorySize < 0) {
            throw new MemoryRegionException(MemoryRegionException.Kind.INVALID, "memory_size",
                    "memory_size must be a multiple of 4096");
        }
        if (guestPhysAddr + memorySize > MAX_PHYS || guestPhysAddr + memorySize < 0) {
            throw new MemoryRegionException(MemoryRegionException.Kind.INVALID, "memory_size",
                    "the region must end below 2^52, the guest physical address width");
        }
        if (existing != null) {
            if (existing.base() != guestPhysAddr || existing.size() != memorySize) {
                throw new MemoryRegionException(MemoryRegionException.Kind.INVALID, "memory_size",
                        "slot " + slot + " is live; it cannot be moved or resized, only deleted (memory_size 0) and created again");
            }
            if ((existing.flags() & MemorySlot.READONLY) != (flags & MemorySlot.READONLY)) {
                throw new MemoryRegionException(MemoryRegionException.Kind.INVALID, "flags",
                        "KVM_MEM_READONLY cannot be changed on a live slot");
            }
            MemorySlot reflagged = new MemorySlot(existing, flags);
            replace(existing, reflagged);
            return reflagged;
        }
        for (MemorySlot other : slots) {
            if (guestPhysAddr < other.base() + other.size() && other.base() < guestPhysAddr + memorySize) {
                throw new MemoryRegionException(MemoryRegionException.Kind.OVERLAP, "guest_phys_addr",
                        String.format("the region overlaps slot %d (0x%x-0x%x)", other.slot(), other.base(),
                                other.base() + other.size() - 1));
            }
        }
        quota.reserve(memorySize);
        MemorySlot created;
        try {
            created = new MemorySlot(slot, flags, guestPhysAddr, memorySize);
        } catch (OutOfMemoryError e) {
            quota.release(memorySize);
            throw new MemoryRegionException(MemoryRegionException.Kind.QUOTA, "memory_size",
                    "the host could not allocate " + memorySize + " bytes");
        }
        created.setCodeWriteListener(codeWriteListener);
        List<MemorySlot> next = new ArrayList<>(List.of(slots));
        next.add(created);
        next.sort(Comparator.comparingLong(MemorySlot::base));
        slots = next.toArray(MemorySlot[]::new);
        return created;
    }

    /** The slot with this number, or null. */
    public MemorySlot find(int slot) {
        for (MemorySlot s : slots) {
            if (s.slot() == slot) {
                return s;
            }
        }
        return null;
    }

    /** The slot that backs a guest physical address, or null when the address is unbacked (MMIO). */
    public MemorySlot slotAt(long gpa) {
        for (MemorySlot s : slots) {
            if (s.contains(gpa)) {
                return s;
            }
        }
        return null;
    }

    /** Every slot, ordered by guest physical address. */
    public List<MemorySlot> slots() {
        return List.of(slots);
    }

    public long totalSize() {
        long total = 0;
        for (MemorySlot s : slots) {
            total += s.size();
        }
        return total;
    }

    /** Installs the listener on every present and future slot (the instruction cache's invalidation hook). */
    public synchronized void setCodeWriteListener(MemorySlot.CodeWriteListener listener) {
        this.codeWriteListener = listener;
        for (MemorySlot s : slots) {
            s.setCodeWriteListener(listener);
        }
    }

    /**
     * Copies {@code length} bytes starting at {@code gpa} into {@code dst}. Every byte must be backed.
     *
     * @throws MemoryRegionException (NOT_FOUND, field "address") naming the first unbacked address
     */
    public void read(long gpa, byte[] dst, int off, int length) {
        int done = 0;
        while (done < length) {
            MemorySlot s = backing(gpa + done);
            int n = (int) Math.min(length - done, s.base() + s.size() - (gpa + done));
            s.readBytes(gpa + done - s.base(), dst, off + done, n);
            done += n;
        }
    }

    /** Writes bytes at {@code gpa}, crossing slots as needed; every byte must be backed. */
    public void write(long gpa, byte[] src, int off, int length) {
        int done = 0;
        while (done < length) {
            MemorySlot s = backing(gpa + done);
            int n = (int) Math.min(length - done, s.base() + s.size() - (gpa + done));
            s.writeBytes(gpa + done - s.base(), src, off + done, n);
            done += n;
        }
    }

    /** Deletes every slot and returns its memory to the quota. */
    public synchronized void clear() {
        for (MemorySlot s : slots) {
            remove(s);
        }
    }

    private MemorySlot backing(long gpa) {
        MemorySlot s = slotAt(gpa);
        if (s == null) {
            throw new MemoryRegionException(MemoryRegionException.Kind.NOT_FOUND, "address",
                    String.format("guest physical address 0x%x is not backed by any memory region", gpa));
        }
        return s;
    }

    private void remove(MemorySlot s) {
        List<MemorySlot> next = new ArrayList<>(List.of(slots));
        next.remove(s);
        slots = next.toArray(MemorySlot[]::new);
        s.free();
        quota.release(s.size());
    }

    private void replace(MemorySlot old, MemorySlot now) {
        MemorySlot[] next = slots.clone();
        for (int i = 0; i < next.length; i++) {
            if (next[i] == old) {
                next[i] = now;
            }
        }
        slots = next;
    }
}
