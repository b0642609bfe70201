package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.jit.CompiledBlock;
import dev.restvisor.core.cpu.state.CpuState;

import java.util.Arrays;

/**
 * The first tier of a block: the run of fast forms a {@link CompiledBlock} would hold, run through the interpreter's
 * own {@link FastPath#execute} on the registers in {@code state.gpr}. It costs no class, so a block head takes one
 * after a few runs ({@link Cpu}), and its chain skips what the run loop and the code cache do per instruction;
 * after {@code compileAt} runs it marks itself hot (and invalid, so links to it fail) for the run loop to put the
 * compiled block in its place. It keeps the compiled block's contract: the RIP of an instruction is stored before
 * it runs, so a fault or an exit leaves the boundary before it; it stops after a memory access that made an exit
 * pending, reached a device or wrote its own code page; a taken Jcc leaves it.
 */
final class InterpretedBlock extends CompiledBlock {
    /** The RIP of each instruction, and at the end the RIP after the last: instruction k falls through to k + 1. */
    private final long[] rips;
    private final int compileAt;
    private int runs;

    InterpretedBlock(DecodedInstruction[] insns, long rip, int mode, int compileAt) {
        this(insns, CompiledBlock.rips(insns, rip, mode), mode, compileAt);
    }

    private InterpretedBlock(DecodedInstruction[] insns, long[] rips, int mode, int compileAt) {
        super(rips[0], mode, 0, Arrays.copyOf(rips, insns.length), CompiledBlock.lastByte(insns, rips), insns);
        this.rips = rips;
        this.compileAt = compileAt;
    }

    /** It ran {@code compileAt} times: the run loop compiles the run and puts that block in its place. */
    boolean hot() {
        return runs >= compileAt;
    }

    @Override
    public int run(Interpreter x, long room) {
        if (++runs >= compileAt) {
            // links to it fail from now on; stopping early after a memory access is always allowed
            invalidate();
        }
        CpuState s = x.state;
        DecodedInstruction[] run = insns;
        int last = run.length - 1;
        for (int k = 0; ; k++) {
            DecodedInstruction d = run[k];
            long next = rips[k + 1];
            s.rip = rips[k];
            x.nextRip = next;
            if (d.hasMemory) {
                x.ea = d.effectiveAddress(s.gpr, next);
            }
            FastPath.execute(x, d);
            if (k == last || FastPath.endsBlock(d.fastForm) && x.nextRip != next) {
                // the end of the run, or a taken Jcc
                s.rip = x.nextRip;
                return k + 1;
            }
            if (FastPath.touchesMemory(d) && (x.exitPending || x.deviceAccessed || !valid)) {
                s.rip = next;
                return k + 1;
            }
        }
    }
}
