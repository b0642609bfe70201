package dev.restvisor.core.cpu.jit;

import dev.restvisor.core.cpu.mmu.Mmu;

/**
 * A block that code was seen to continue in, with the context it was found under: the code segment (the descriptor
 * cache object), the interpreter's mode word (privilege, code and stack size), and the physical frame its linear
 * page translated to, or -1 when that page needs no check (the linking block's own, whose translation held when it
 * was entered). Overwritten in place when its slot is reused.
 */
final class BlockLink {
    private CompiledBlock target;
    private Object cs;
    private int mode;
    private long frame;

    void set(CompiledBlock target, Object cs, int mode, long frame) {
        this.target = target;
        this.cs = cs;
        this.mode = mode;
        this.frame = frame;
    }

    /**
     * The target when it starts at {@code rip} and was found under this context, while it is valid (its code page
     * unwritten) and, with a frame, while the TLB still maps {@code linear} (the RIP's linear address) to it; else
     * null. A TLB flush or INVLPG of that page thus drops the link, as it would drop a translation.
     */
    CompiledBlock follow(long rip, long linear, Object cs, int mode, Mmu mmu, int access) {
        CompiledBlock t = target;
        if (t == null || t.rip() != rip || this.mode != mode || !t.valid) {
            return null;
        }
        if (this.cs != cs) {
            // CS was loaded again (an interrupt, IRET, SYSRET): the same descriptor is the same context
            if (!this.cs.equals(cs)) {
                return null;
            }
            this.cs = cs;
        }
        return frame < 0 || mmu.cachedFrame(linear, access) == frame ? t : null;
    }
}
