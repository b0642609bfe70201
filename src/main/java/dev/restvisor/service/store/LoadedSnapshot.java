package dev.restvisor.service.store;

import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;
import dev.restvisor.core.vm.VmState;
import java.util.List;

/**
 * A snapshot read back and verified with its chain of parents, oldest first: ready to be put into
 * a VM. Signatures, versions, checksums and chunk counts were all checked while loading.
 */
public final class LoadedSnapshot {
    private static final byte[] ZERO_PAGE = new byte[CapturedMemory.PAGE];

    /** One snapshot of the chain: its state section and its verified chunks. */
    record Link(String id, SnapshotFormat.Decoded decoded, List<ChunkCodec.Chunk> chunks) {
    }

    private final List<Link> chain;

    LoadedSnapshot(List<Link> chain) {
        this.chain = chain;
    }

    private Link target() {
        return chain.getLast();
    }

    public String id() {
        return target().id();
    }

    /** The vcpus, clock and stateful parts to restore. */
    public VmState state() {
        return target().decoded().state();
    }

    /**
     * Makes the VM's memory equal to the snapshot's: slots that differ in place or size are deleted
     * and created again, then each slot gets its last full image and every delta after it. The
     * caller holds every vcpu.
     *
     * @return what memory now equals, the base of the next diff snapshot
     */
    public SnapshotBaseline applyTo(GuestMemory memory) {
        List<SnapshotFormat.SlotLayout> layout = target().decoded().layout();
        for (MemorySlot live : memory.slots()) {
            SnapshotFormat.SlotLayout want = find(layout, live.slot());
            if (want == null || want.base() != live.base() || want.size() != live.size()
                    || (want.flags() & MemorySlot.READONLY) != (live.flags() & MemorySlot.READONLY)) {
                memory.setRegion(live.slot(), 0, 0, 0);
            }
        }
        for (SnapshotFormat.SlotLayout want : layout) {
            MemorySlot live = memory.find(want.slot());
            boolean fresh = live == null;
            if (fresh || live.flags() != want.flags()) {
                live = memory.setRegion(want.slot(), want.flags(), want.base(), want.size());
            }
            int first = chain.size() - 1;
            while (first > 0 && mode(chain.get(first), want.slot()) != SnapshotFormat.SlotMode.FULL) {
                first--;
            }
            if (!fresh) {
                live.zero();
            }
            for (int i = first; i < chain.size(); i++) {
                apply(chain.get(i), live);
            }
        }
        for (MemorySlot s : memory.slots()) {
            s.changeLog().readAndClear();
        }
        return SnapshotBaseline.of(id(), memory);
    }

    private static SnapshotFormat.SlotMode mode(Link link, int slot) {
        SnapshotFormat.SlotLayout l = find(link.decoded().layout(), slot);
        return l == null ? null : l.mode();
    }

    private static SnapshotFormat.SlotLayout find(List<SnapshotFormat.SlotLayout> layout, int slot) {
        for (SnapshotFormat.SlotLayout l : layout) {
            if (l.slot() == slot) {
                return l;
            }
        }
        return null;
    }

    private static void apply(Link link, MemorySlot slot) {
        for (int seq = 0; seq < link.chunks().size(); seq++) {
            ChunkCodec.Chunk c = link.chunks().get(seq);
            if (c.slot() != slot.slot()) {
                continue;
            }
            byte[] data = c.pageData(link.id(), seq);
            int pos = 0;
            int[] pages = c.pages();
            int i = 0;
            while (i < pages.length) {
                int page = pages[i] & ~CapturedMemory.ZERO_PAGE;
                if ((long) page << MemorySlot.PAGE_SHIFT >= slot.size()) {
                    throw SnapshotFormat.corrupt(link.id(), "memory chunk " + seq + " names page " + page + " outside slot " + slot.slot());
                }
                if ((pages[i] & CapturedMemory.ZERO_PAGE) != 0) {
                    slot.writeBytes((long) page << MemorySlot.PAGE_SHIFT, ZERO_PAGE, 0, ZERO_PAGE.length);
                    i++;
                    continue;
                }
                int run = 1;
                while (i + run < pages.length && pages[i + run] == page + run
                        && ((long) (page + run) << MemorySlot.PAGE_SHIFT) < slot.size()) {
                    run++;
                }
                slot.writeBytes((long) page << MemorySlot.PAGE_SHIFT, data, pos, run * CapturedMemory.PAGE);
                pos += run * CapturedMemory.PAGE;
                i += run;
            }
        }
    }
}
