package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Decoded instructions of one vcpu, cached per guest physical page and keyed by physical address, so
 * paging changes never make an entry stale. A page is cached only while its memory slot reports writes
 * to it ({@link MemorySlot#markCode}); the first write to such a page, by any vcpu or by the VM client,
 * drops the page from every vcpu's cache before the write returns, which makes self-modifying code
 * work. Instructions that cross a page boundary are not cached. An instruction object is never changed
 * once cached, so an instruction that overwrites its own page finishes with the bytes it was decoded from.
 */
final class CodeCache {
    private static final int PAGE_SHIFT = 12;

    /** One listener per guest memory forwards code writes to the caches of all its vcpus. */
    private static final Map<GuestMemory, Fanout> FANOUTS = new WeakHashMap<>();

    private static final class Fanout implements MemorySlot.CodeWriteListener {
        final List<CodeCache> caches = new CopyOnWriteArrayList<>();

        @Override
        public void codeWritten(long guestPhysPage) {
            for (CodeCache c : caches) {
                c.invalidate(guestPhysPage);
            }
        }
    }

    private static final class Page {
        final DecodedInstruction[] insns = new DecodedInstruction[1 << PAGE_SHIFT];
        volatile boolean valid = true;
    }

    private final GuestMemory memory;
    private final Map<Long, Page> pages = new ConcurrentHashMap<>();
    private Page lastPage;
    private long lastFrame = -1;
    /** The slot layout the entries were decoded from; a changed layout flushes everything. */
    private List<MemorySlot> layout = List.of();

    CodeCache(GuestMemory memory) {
        this.memory = memory;
        Fanout f;
        synchronized (FANOUTS) {
            f = FANOUTS.get(memory);
            if (f == null) {
                f = new Fanout();
                FANOUTS.put(memory, f);
                memory.setCodeWriteListener(f);
            }
        }
        f.caches.add(this);
    }

    /** The cached instruction at a physical address decoded for {@code mode}, or null. */
    DecodedInstruction lookup(long pa, int mode) {
        long frame = pa >>> PAGE_SHIFT;
        Page p = lastPage;
        if (frame != lastFrame || p == null || !p.valid) {
            p = pages.get(frame);
            if (p == null) {
                return null;
            }
            lastPage = p;
            lastFrame = frame;
        }
        DecodedInstruction d = p.insns[(int) (pa & 0xfff)];
        return d != null && d.mode == mode ? d : null;
    }

    /** Caches a freshly decoded instruction that lies inside one page of RAM. */
    void put(long pa, DecodedInstruction d) {
        if ((pa & 0xfff) + d.length > 1 << PAGE_SHIFT) {
            return;
        }
        MemorySlot slot = memory.slotAt(pa);
        if (slot == null) {
            return;
        }
        long frame = pa >>> PAGE_SHIFT;
        Page p = pages.get(frame);
        if (p == null || !p.valid) {
            p = new Page();
            pages.put(frame, p);
        }
        // mark first: a write racing with this insert then drops the page again
        slot.markCode(pa - slot.base());
        p.insns[(int) (pa & 0xfff)] = d;
    }

    void invalidate(long frame) {
        Page p = pages.remove(frame);
        if (p != null) {
            p.valid = false;
        }
    }

    /** Drops everything (external state writes, a changed memory layout). */
    void flush() {
        for (Page p : pages.values()) {
            p.valid = false;
        }
        pages.clear();
        lastPage = null;
        lastFrame = -1;
    }

    /** Flushes when the memory slots changed since the last run. */
    void checkLayout() {
        List<MemorySlot> now = memory.slots();
        if (!now.equals(layout)) {
            flush();
            layout = now;
        }
    }
}
