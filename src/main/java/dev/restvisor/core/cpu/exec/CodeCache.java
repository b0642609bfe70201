package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.jit.CompiledBlock;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *
 * <p>A page also holds the {@link CompiledBlock}s that start in it and the run counts of its block heads; a
 * write drops them with the page, and invalidates the blocks themselves, so that one running stops after the
 * write.
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
        final long frame;
        final DecodedInstruction[] insns = new DecodedInstruction[1 << PAGE_SHIFT];
        /**
         * Cleared (by any thread) when the page is written; a cleared page is never used again. Read opaque, not
         * volatile: a volatile read before every instruction costs more than the whole dispatch, and the order
         * it would add is not needed. The writing vcpu clears it during its own write, so it sees the change at
         * the next instruction; another vcpu sees it promptly but unordered, which is what SDM Vol. 3A 8.1.3
         * allows for cross-modifying code (the executing processor must serialize before it is guaranteed).
         */
        boolean valid = true;
        /** Compiled blocks by offset of their first instruction; null until the first is compiled. */
        CompiledBlock[] blocks;
        /** How often each block head ran, up to the compile threshold; null until a head is counted. */
        char[] heat;

        boolean valid() {
            return (boolean) VALID.getOpaque(this);
        }

        void invalidate() {
            VALID.setOpaque(this, false);
            CompiledBlock[] b = blocks;
            if (b != null) {
                for (CompiledBlock block : b) {
                    if (block != null) {
                        block.invalidate();
                    }
                }
            }
        }

        Page(long frame) {
            this.frame = frame;
        }
    }

    private static final VarHandle VALID;

    static {
        try {
            VALID = MethodHandles.lookup().findVarHandle(Page.class, "valid", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Recently used pages, direct-mapped by frame: the common lookup touches neither the map nor a boxed key. */
    private static final int RECENT = 4096;

    private final GuestMemory memory;
    private final Map<Long, Page> pages = new ConcurrentHashMap<>();
    private final Page[] recent = new Page[RECENT];
    /** The page of the last lookup: straight-line code stays in it. */
    private Page current;
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
        Page p = page(pa >>> PAGE_SHIFT);
        if (p == null) {
            return null;
        }
        DecodedInstruction d = p.insns[(int) (pa & 0xfff)];
        return d != null && d.mode == mode ? d : null;
    }

    /** The valid page of a frame, or null. */
    private Page page(long frame) {
        Page p = current;
        if (p != null && p.frame == frame && p.valid()) {
            return p;
        }
        int i = (int) frame & (RECENT - 1);
        p = recent[i];
        if (p == null || p.frame != frame || !p.valid()) {
            p = pages.get(frame);
            if (p == null) {
                return null;
            }
            recent[i] = p;
        }
        current = p;
        return p;
    }

    /** The compiled block starting at a physical address, or null. */
    CompiledBlock block(long pa) {
        Page p = page(pa >>> PAGE_SHIFT);
        CompiledBlock[] b = p == null ? null : p.blocks;
        return b == null ? null : b[(int) (pa & 0xfff)];
    }

    /**
     * Counts a run of the block head at a physical address whose instruction is cached.
     *
     * @return true exactly once per cached page: on the run that reaches {@code threshold}
     */
    boolean warm(long pa, int threshold) {
        Page p = page(pa >>> PAGE_SHIFT);
        if (p == null) {
            return false;
        }
        if (p.heat == null) {
            p.heat = new char[1 << PAGE_SHIFT];
        }
        int i = (int) (pa & 0xfff);
        int h = p.heat[i];
        if (h >= threshold) {
            return false;
        }
        p.heat[i] = (char) (h + 1);
        return h + 1 == threshold;
    }

    /** Keeps a block compiled from the cached instructions of its page. */
    void putBlock(long pa, CompiledBlock b) {
        Page p = page(pa >>> PAGE_SHIFT);
        if (p == null) {
            // the page was written while the block was compiled
            b.invalidate();
            return;
        }
        if (p.blocks == null) {
            p.blocks = new CompiledBlock[1 << PAGE_SHIFT];
        }
        p.blocks[(int) (pa & 0xfff)] = b;
        if (!p.valid()) {
            // a write from another thread dropped the page meanwhile
            b.invalidate();
        }
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
        Page p = page(frame);
        if (p == null) {
            p = new Page(frame);
            pages.put(frame, p);
        }
        // mark first: a write racing with this insert then drops the page again
        slot.markCode(pa - slot.base());
        p.insns[(int) (pa & 0xfff)] = d;
    }

    void invalidate(long frame) {
        Page p = pages.remove(frame);
        if (p != null) {
            p.invalidate();
        }
    }

    /** Drops everything (external state writes, a changed memory layout). */
    void flush() {
        for (Page p : pages.values()) {
            p.invalidate();
        }
        pages.clear();
        java.util.Arrays.fill(recent, null);
        current = null;
    }

    /**
     * Flushes when the memory slots changed since the last run.
     *
     * @return true when they changed
     */
    boolean checkLayout() {
        List<MemorySlot> now = memory.slots();
        if (!now.equals(layout)) {
            flush();
            layout = now;
            return true;
        }
        return false;
    }
}
