package dev.restvisor.service.store;

import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Guest pages copied out of a VM while its vcpus are held: the copy is a plain memory move, so the
 * pause is short; compression and the database write happen after the vcpus run again. All-zero
 * pages of a full slot are left out. A delta slot keeps every page written since the baseline,
 * a page that became all-zero as a marker without data.
 */
public final class CapturedMemory {
    static final int PAGES_PER_CHUNK = 256;
    static final int PAGE = (int) MemorySlot.PAGE_SIZE;
    /** Set on a page index whose page is all zero and carries no data. */
    static final int ZERO_PAGE = 0x8000_0000;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[PAGE]);

    /** Pages of one slot: indexes (with {@link #ZERO_PAGE}) and the data of the non-zero ones, in order. */
    record RawChunk(int slot, int[] pages, byte[] data, int dataLength) {
    }

    private final String snapshotId;
    private final List<SnapshotFormat.SlotLayout> layout;
    private final List<RawChunk> chunks;
    private final SnapshotBaseline parent;
    private final SnapshotBaseline baseline;

    private CapturedMemory(String snapshotId, List<SnapshotFormat.SlotLayout> layout, List<RawChunk> chunks,
                           SnapshotBaseline parent, SnapshotBaseline baseline) {
        this.snapshotId = snapshotId;
        this.layout = layout;
        this.chunks = chunks;
        this.parent = parent;
        this.baseline = baseline;
    }

    /** The id the snapshot of this capture gets. */
    public String snapshotId() {
        return snapshotId;
    }

    /** What the VM's memory equals once this capture is stored: the base of the next diff. */
    public SnapshotBaseline baseline() {
        return baseline;
    }

    List<SnapshotFormat.SlotLayout> layout() {
        return layout;
    }

    List<RawChunk> chunks() {
        return chunks;
    }

    /** The id of the snapshot this capture is a diff on, or null for a full capture. */
    String parentId() {
        return parent == null ? null : parent.snapshotId();
    }

    /**
     * Copies the VM's memory; the caller holds every vcpu. Each slot's change log is cleared first, so
     * a write racing with the copy (an API memory write) shows up in the next diff.
     *
     * @param parent what memory equalled at the parent snapshot, or null for a full snapshot
     */
    public static CapturedMemory capture(GuestMemory memory, SnapshotBaseline parent) {
        List<SnapshotFormat.SlotLayout> layout = new ArrayList<>();
        List<RawChunk> chunks = new ArrayList<>();
        for (MemorySlot slot : memory.slots()) {
            if (slot.size() >>> MemorySlot.PAGE_SHIFT >= 1L << 31) {
                throw new StoreException(StoreException.Kind.INVALID, "memory_regions",
                        "slot " + slot.slot() + " is too large to snapshot (at most 8 TiB)");
            }
            byte[] changed = slot.changeLog().readAndClear();
            boolean delta = parent != null && parent.tracks(slot);
            layout.add(new SnapshotFormat.SlotLayout(slot.slot(), slot.flags(), slot.base(), slot.size(),
                    delta ? SnapshotFormat.SlotMode.DELTA : SnapshotFormat.SlotMode.FULL));
            ChunkBuilder builder = new ChunkBuilder(slot.slot(), chunks);
            MemorySegment data = slot.segment();
            int pages = (int) (slot.size() >>> MemorySlot.PAGE_SHIFT);
            for (int page = 0; page < pages; page++) {
                if (delta && (changed[page >>> 3] & (1 << (page & 7))) == 0) {
                    continue;
                }
                long off = (long) page << MemorySlot.PAGE_SHIFT;
                boolean zero = MemorySegment.mismatch(data, off, off + PAGE, ZEROS, 0, PAGE) < 0;
                if (zero && !delta) {
                    continue;
                }
                builder.add(page, zero ? null : data, off);
            }
            builder.flush();
        }
        String id = java.util.UUID.randomUUID().toString();
        return new CapturedMemory(id, layout, chunks, parent, SnapshotBaseline.of(id, memory));
    }

    /** Groups pages into chunks of at most {@link #PAGES_PER_CHUNK}. */
    private static final class ChunkBuilder {
        private final int slot;
        private final List<RawChunk> out;
        private int[] pages = new int[PAGES_PER_CHUNK];
        private byte[] data = new byte[PAGES_PER_CHUNK * PAGE];
        private int count;
        private int length;

        ChunkBuilder(int slot, List<RawChunk> out) {
            this.slot = slot;
            this.out = out;
        }

        void add(int page, MemorySegment source, long off) {
            if (source == null) {
                pages[count++] = page | ZERO_PAGE;
            } else {
                pages[count++] = page;
                MemorySegment.copy(source, ValueLayout.JAVA_BYTE, off, data, length, PAGE);
                length += PAGE;
            }
            if (count == PAGES_PER_CHUNK) {
                flush();
            }
        }

        void flush() {
            if (count > 0) {
                out.add(new RawChunk(slot, Arrays.copyOf(pages, count), data, length));
                pages = new int[PAGES_PER_CHUNK];
                data = new byte[PAGES_PER_CHUNK * PAGE];
                count = 0;
                length = 0;
            }
        }
    }
}
