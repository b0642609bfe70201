package dev.restvisor.core.cpu.jit;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.exec.Interpreter;
import dev.restvisor.core.cpu.mmu.Mmu;

/**
 * A straight-line run of instructions compiled to one method ({@link BlockCompiler}): entered at {@link #rip} in
 * code of size {@link #mode}, left after its last instruction, after an instruction whose memory access reached a
 * device or asked for an exit, or after one that wrote the block's own code page. Before every instruction that
 * can fault it stores the registers and that instruction's RIP, so a fault or an exit thrown out of {@link #run}
 * leaves the state of the boundary before it: {@link #retiredBefore} the state's RIP is the number that retired.
 * Only its last instruction may be a branch, except for Jcc, whose taken branch leaves the block (a superblock);
 * a block with a relative branch back to its first instruction runs as a loop for as long as its room allows.
 */
public abstract class CompiledBlock {
    private final long rip;
    private final int mode;
    /** The stack size its pushes and pops assume (SS.B: 2 or 4 bytes; 8 in 64-bit mode), 0 when it has none. */
    private final int stackSize;
    /** The RIP of each instruction. */
    protected final long[] starts;
    /** The CS offset of the block's last byte (outside 64-bit mode the whole run must lie inside the CS limit). */
    private final long lastByte;
    /** The instructions, for those the block hands to the interpreter's fast forms. */
    protected final DecodedInstruction[] insns;
    /**
     * Cleared when the code page is written (by any vcpu or the VM client); a block checks it after each write
     * of its own and stops there, as the interpreter then decodes the next instruction from the new bytes.
     */
    protected boolean valid = true;
    /** The instructions a loop block retired in the iterations it completed in the current {@link #run}. */
    protected int done;

    protected CompiledBlock(long rip, int mode, int stackSize, long[] starts, long lastByte,
            DecodedInstruction[] insns) {
        this.rip = rip;
        this.mode = mode;
        this.stackSize = stackSize;
        this.starts = starts;
        this.lastByte = lastByte;
        this.insns = insns;
    }

    /**
     * Runs the block from its first instruction; {@code state.rip} is left at the next instruction to run.
     *
     * @param room how many instructions beyond its first the block may retire in loop iterations (one pass of its
     *             instructions always runs)
     * @return the number of instructions retired (1 or more)
     */
    public abstract int run(Interpreter x, long room);

    /**
     * The RIP of each instruction of a run that starts at {@code rip} in code of size {@code mode}, and at index
     * {@code insns.length} the RIP after the last (outside 64-bit code, RIPs wrap at 4 GiB).
     */
    public static long[] rips(DecodedInstruction[] insns, long rip, int mode) {
        long[] rips = new long[insns.length + 1];
        rips[0] = rip;
        for (int k = 0; k < insns.length; k++) {
            long next = rips[k] + insns[k].length;
            rips[k + 1] = mode == 64 ? next : next & 0xffffffffL;
        }
        return rips;
    }

    /** The CS offset of the last byte of a run whose instructions start at {@code starts} (or its {@link #rips}). */
    public static long lastByte(DecodedInstruction[] insns, long[] starts) {
        int last = insns.length - 1;
        return (starts[last] + insns[last].length - 1) & 0xffffffffL;
    }

    public long rip() {
        return rip;
    }

    public int mode() {
        return mode;
    }

    public int stackSize() {
        return stackSize;
    }

    public int size() {
        return starts.length;
    }

    public long lastByte() {
        return lastByte;
    }

    /** The instructions the current {@link #run} retired before the one at {@code rip} faulted or asked for an exit. */
    public int retiredBefore(long rip) {
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] == rip) {
                return done + i;
            }
        }
        throw new IllegalStateException("no instruction of the block at " + Long.toHexString(rip));
    }

    public void invalidate() {
        valid = false;
    }

    /** Successors, direct-mapped by RIP: a block's taken and fall-through exits, or a return's recent targets. */
    private final BlockLink[] links = new BlockLink[LINKS];
    private static final int LINKS = 4;

    private static int linkSlot(long rip) {
        return (int) (rip ^ rip >>> 4) & (LINKS - 1);
    }

    /** The successor recorded for {@code rip} under the same context ({@link BlockLink#follow}); null when none. */
    public CompiledBlock linked(long rip, long linear, Object cs, int mode, Mmu mmu, int access) {
        BlockLink l = links[linkSlot(rip)];
        return l == null ? null : l.follow(rip, linear, cs, mode, mmu, access);
    }

    /**
     * Records {@code target} as the successor at its RIP found under this context, in {@code frame}, or -1 when
     * its linear page is this block's own.
     */
    public void link(CompiledBlock target, Object cs, int mode, long frame) {
        int i = linkSlot(target.rip);
        BlockLink l = links[i];
        if (l == null) {
            l = new BlockLink();
            links[i] = l;
        }
        l.set(target, cs, mode, frame);
    }
}
