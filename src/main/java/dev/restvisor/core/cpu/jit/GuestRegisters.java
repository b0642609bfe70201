package dev.restvisor.core.cpu.jit;

import java.lang.classfile.CodeBuilder;

/**
 * The general registers RAX-R15 of a block held in JVM locals while it is emitted: a register is loaded from
 * {@code state.gpr} at its first use, and a written one is stored back by {@link #writeBack} (before an
 * instruction that can fault or exit, and at the block's end). The code of a block is straight-line apart from
 * its exits, which end the method, so what is loaded at any point is known when the point is emitted.
 */
final class GuestRegisters {
    private final int gprSlot;
    private final int firstSlot;
    private final boolean[] loaded = new boolean[16];
    private final boolean[] dirty = new boolean[16];

    /**
     * @param gprSlot the local holding {@code state.gpr}
     * @param firstSlot the first of 32 local slots for the 16 registers
     */
    GuestRegisters(int gprSlot, int firstSlot) {
        this.gprSlot = gprSlot;
        this.firstSlot = firstSlot;
    }

    private int slot(int r) {
        return firstSlot + 2 * r;
    }

    /** Pushes the full 64-bit value of register {@code r}. */
    void load(CodeBuilder c, int r) {
        if (!loaded[r]) {
            c.aload(gprSlot).loadConstant(r).laload().lstore(slot(r));
            loaded[r] = true;
        }
        c.lload(slot(r));
    }

    /** Pops a 64-bit value into register {@code r}. */
    void store(CodeBuilder c, int r) {
        c.lstore(slot(r));
        loaded[r] = true;
        dirty[r] = true;
    }

    /** Stores the written registers to {@code state.gpr}; they stay loaded. */
    void writeBack(CodeBuilder c) {
        for (int r = 0; r < 16; r++) {
            if (dirty[r]) {
                c.aload(gprSlot).loadConstant(r).lload(slot(r)).lastore();
                dirty[r] = false;
            }
        }
    }

    /** Emits the stores {@link #writeBack} would, on an exit path, without changing what is pending. */
    void writeBackOnExit(CodeBuilder c) {
        for (int r = 0; r < 16; r++) {
            if (dirty[r]) {
                c.aload(gprSlot).loadConstant(r).lload(slot(r)).lastore();
            }
        }
    }

    /** The interpreter ran an instruction on {@code state.gpr} (after a {@link #writeBack}): reload on next use. */
    void forget() {
        java.util.Arrays.fill(loaded, false);
    }
}
