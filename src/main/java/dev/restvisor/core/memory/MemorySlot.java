package dev.restvisor.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One kvm_userspace_memory_region: a page-aligned range of guest physical addresses backed by
 * zeroed off-heap storage. Offsets passed to the accessors are relative to {@link #base()}.
 * Every write marks its pages dirty when logging is on, and reports writes to pages that the
 * instruction cache holds so self-modifying code is seen.
 */
public final class MemorySlot {
    /** KVM_MEM_LOG_DIRTY_PAGES. */
    public static final int LOG_DIRTY_PAGES = 1;
    /** KVM_MEM_READONLY: guest writes become MMIO exits. */
    public static final int READONLY = 2;
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int slot;
    private final int flags;
    private final long base;
    private final long size;
    private final Arena arena;
    private final MemorySegment data;
    private final DirtyBitmap dirty;
    private final DirtyBitmap changes;
    private final long[] codePages;
    /**
     * Pages whose next write needs bookkeeping: not marked in the change log or the dirty log since that was last
     * cleared, or holding cached code. A write to a page whose bit is clear costs one load and test.
     */
    private final long[] watched;
    private volatile CodeWriteListener codeWriteListener;

    /** Told when a write lands on a page that holds cached decoded instructions. */
    @FunctionalInterface
    public interface CodeWriteListener {
        void codeWritten(long guestPhysPage);
    }

    MemorySlot(int slot, int flags, long base, long size) {
        this.slot = slot;
        this.flags = flags;
        this.base = base;
        this.size = size;
        this.arena = Arena.ofShared();
        this.data = arena.allocate(size, PAGE_SIZE);
        this.codePages = new long[(int) (((size >>> PAGE_SHIFT) + 63) >>> 6)];
        this.watched = new long[codePages.length];
        watchAll(watched);
        this.dirty = (flags & LOG_DIRTY_PAGES) != 0 ? new DirtyBitmap(size >>> PAGE_SHIFT, watched) : null;
        this.changes = new DirtyBitmap(size >>> PAGE_SHIFT, watched);
    }

    /** A slot that keeps the storage of {@code previous}, with new flags (KVM allows flag changes on a live slot). */
    MemorySlot(MemorySlot previous, int flags) {
        this.slot = previous.slot;
        this.flags = flags;
        this.base = previous.base;
        this.size = previous.size;
        this.arena = previous.arena;
        this.data = previous.data;
        this.changes = previous.changes;
        this.codePages = previous.codePages;
        this.watched = previous.watched;
        this.codeWriteListener = previous.codeWriteListener;
        // before the new dirty log exists: every page is unmarked in it
        watchAll(watched);
        this.dirty = (flags & LOG_DIRTY_PAGES) != 0 ? new DirtyBitmap(size >>> PAGE_SHIFT, watched) : null;
    }

    private static void watchAll(long[] watched) {
        for (int w = 0; w < watched.length; w++) {
            DirtyBitmap.WORDS.getAndBitwiseOr(watched, w, -1L);
        }
    }

    public int slot() { return slot; }
    public int flags() { return flags; }
    public long base() { return base; }
    public long size() { return size; }
    public boolean readOnly() { return (flags & READONLY) != 0; }
    public boolean contains(long gpa) { return gpa - base >= 0 && gpa - base < size; }

    /** The dirty bitmap, or null when LOG_DIRTY_PAGES is off. */
    public DirtyBitmap dirtyBitmap() { return dirty; }

    /**
     * Pages written since the last snapshot of this slot's storage, always on and independent of the
     * guest-visible KVM dirty log: a diff snapshot reads and clears it, so KVM_GET_DIRTY_LOG clients
     * and snapshots never steal each other's bits. It stays with the storage when flags change.
     */
    public DirtyBitmap changeLog() { return changes; }

    /** Raw storage, for bulk copies (snapshots, image loading). */
    public MemorySegment segment() { return data; }

    public void setCodeWriteListener(CodeWriteListener listener) { this.codeWriteListener = listener; }

    public int read8(long off) { return data.get(ValueLayout.JAVA_BYTE, off) & 0xff; }
    public int read16(long off) { return data.get(U16, off) & 0xffff; }
    public int read32(long off) { return data.get(U32, off); }
    public long read64(long off) { return data.get(U64, off); }

    /** Reads 1, 2, 4 or 8 bytes, zero-extended. */
    public long read(long off, int len) {
        return switch (len) {
            case 1 -> read8(off);
            case 2 -> read16(off);
            case 4 -> read32(off) & 0xffffffffL;
            default -> read64(off);
        };
    }

    public void write8(long off, int v) { data.set(ValueLayout.JAVA_BYTE, off, (byte) v); wrote(off, 1); }
    public void write16(long off, int v) { data.set(U16, off, (short) v); wrote(off, 2); }
    public void write32(long off, int v) { data.set(U32, off, v); wrote(off, 4); }
    public void write64(long off, long v) { data.set(U64, off, v); wrote(off, 8); }

    /** Writes the low {@code len} (1, 2, 4 or 8) bytes of {@code v}. */
    public void write(long off, int len, long v) {
        switch (len) {
            case 1 -> write8(off, (int) v);
            case 2 -> write16(off, (int) v);
            case 4 -> write32(off, (int) v);
            default -> write64(off, v);
        }
    }

    public void readBytes(long off, byte[] dst, int dstOff, int len) {
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, dst, dstOff, len);
    }

    public void writeBytes(long off, byte[] src, int srcOff, int len) {
        MemorySegment.copy(src, srcOff, data, ValueLayout.JAVA_BYTE, off, len);
        wrote(off, len);
    }

    /**
     * Stores {@code count} copies of the low {@code size} (1, 2, 4 or 8) bytes of {@code v} from {@code off} on,
     * as that many guest writes would (REP STOS in bulk).
     */
    public void fill(long off, long count, int size, long v) {
        long len = count * size;
        long pattern = switch (size) {
            case 1 -> (v & 0xff) * 0x0101010101010101L;
            case 2 -> (v & 0xffff) * 0x0001000100010001L;
            case 4 -> (v & 0xffffffffL) * 0x0000000100000001L;
            default -> v;
        };
        if (pattern == (pattern & 0xff) * 0x0101010101010101L) {
            data.asSlice(off, len).fill((byte) pattern);
        } else {
            long i = 0;
            for (; i + 8 <= len; i += 8) {
                data.set(U64, off + i, pattern);
            }
            for (; i < len; i += size) {
                setRaw(off + i, size, v);
            }
        }
        wrote(off, len);
    }

    /**
     * Copies {@code len} bytes from {@code src} (which may be this slot) as ascending single-element copies would,
     * which is what MEMMOVE semantics give unless the destination starts inside the source: callers exclude that.
     */
    public void copyFrom(MemorySlot src, long srcOff, long off, long len) {
        MemorySegment.copy(src.data, srcOff, data, off, len);
        wrote(off, len);
    }

    private void setRaw(long off, int size, long v) {
        switch (size) {
            case 1 -> data.set(ValueLayout.JAVA_BYTE, off, (byte) v);
            case 2 -> data.set(U16, off, (short) v);
            case 4 -> data.set(U32, off, (int) v);
            default -> data.set(U64, off, v);
        }
    }

    /**
     * Sets every byte to zero as a guest-visible write (dirty log, change log and cached code all
     * see it), the first step of restoring a snapshot into this slot.
     */
    public void zero() {
        data.fill((byte) 0);
        wrote(0, size);
    }

    /** Marks a page as holding cached decoded instructions; its next write notifies the listener. */
    public void markCode(long off) {
        long page = off >>> PAGE_SHIFT;
        long bit = 1L << page;
        int word = (int) (page >>> 6);
        // atomic: several vcpus mark (and writers clear) bits of the same word concurrently; a page that is marked
        // already (every instruction of a page is cached after the first) costs a load. A writer that clears the bit
        // right after that load also drops the page the caller caches into, which is as good as a mark.
        if (((long) DirtyBitmap.WORDS.getOpaque(codePages, word) & bit) == 0) {
            DirtyBitmap.WORDS.getAndBitwiseOr(codePages, word, bit);
            // after the code bit: a writer that clears the watch bit first and then finds no code bit leaves this
            // page watched, so its next write sees the code
            DirtyBitmap.WORDS.getAndBitwiseOr(watched, word, bit);
        }
    }

    private void wrote(long off, long len) {
        long first = off >>> PAGE_SHIFT;
        long last = (off + len - 1) >>> PAGE_SHIFT;
        for (long page = first; page <= last; page++) {
            wrotePage(page);
        }
    }

    /**
     * The bookkeeping of a write to one page: in the common case (page already marked in both logs,
     * no cached code) one load and test of its watch bit, no atomic instruction. The watch bit is cleared before
     * the logs are marked and the code bit tested: a log cleared, or code cached, in the meantime sets it again.
     */
    private void wrotePage(long page) {
        long bit = 1L << page;
        int word = (int) (page >>> 6);
        // opaque: a plain load the JIT may not hoist, so a log clear or a code mark by another thread is seen promptly
        if (((long) DirtyBitmap.WORDS.getOpaque(watched, word) & bit) == 0) {
            return;
        }
        DirtyBitmap.WORDS.getAndBitwiseAnd(watched, word, ~bit);
        if (dirty != null) {
            dirty.mark(page);
        }
        changes.mark(page);
        if (((long) DirtyBitmap.WORDS.getOpaque(codePages, word) & bit) != 0
                && ((long) DirtyBitmap.WORDS.getAndBitwiseAnd(codePages, word, ~bit) & bit) != 0) {
            CodeWriteListener l = codeWriteListener;
            if (l != null) {
                l.codeWritten((base >>> PAGE_SHIFT) + page);
            }
        }
    }

    void free() {
        arena.close();
    }
}
