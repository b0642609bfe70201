package dev.restvisor.core.cpu.jit;

import dev.restvisor.core.cpu.mmu.Mmu;

/**
 * One vcpu's recently entered blocks, direct-mapped by RIP: where a chain of blocks reaches a RIP that no link of
 * its last block leads to (a return to one of many callers, an indirect jump or call), the block found there last
 * time continues it, under the same checks as a link.
 */
public final class JumpCache {
    private static final int SIZE = 1 << 12;
    private final BlockLink[] entries = new BlockLink[SIZE];

    private static int slot(long rip) {
        return (int) (rip ^ rip >>> 12) & (SIZE - 1);
    }

    /** The block entered at {@code rip} under this context, found in the frame the TLB still maps its page to. */
    public CompiledBlock find(long rip, long linear, Object cs, int mode, Mmu mmu, int access) {
        BlockLink e = entries[slot(rip)];
        return e == null ? null : e.follow(rip, linear, cs, mode, mmu, access);
    }

    /** Records {@code b}, found in physical frame {@code frame} under CS {@code cs} and mode word {@code mode}. */
    public void put(CompiledBlock b, Object cs, int mode, long frame) {
        int i = slot(b.rip());
        BlockLink e = entries[i];
        if (e == null) {
            e = new BlockLink();
            entries[i] = e;
        }
        e.set(b, cs, mode, frame);
    }
}
