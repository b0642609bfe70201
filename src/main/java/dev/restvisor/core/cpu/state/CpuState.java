package dev.restvisor.core.cpu.state;

/**
 * The architectural register state of one vcpu (kvm_regs + kvm_sregs + debug registers).
 * Mutable and owned by exactly one thread at a time: the vcpu thread while it runs, the API
 * otherwise. {@link #rflags} is authoritative whenever the vcpu is not executing; the
 * interpreter's lazy flags are folded back into it before a run returns.
 */
public final class CpuState {
    /** RAX..R15 in SDM register-number order (0 = RAX, 1 = RCX, 2 = RDX, 3 = RBX, 4 = RSP, ...). */
    public final long[] gpr = new long[16];
    public long rip;
    public long rflags = Rflags.FIXED1;

    /** ES, CS, SS, DS, FS, GS in {@link SegmentRegister} order. */
    public final Segment[] seg = new Segment[6];
    public Segment tr;
    public Segment ldt;
    public DescriptorTable gdt = DescriptorTable.RESET;
    public DescriptorTable idt = DescriptorTable.RESET;

    public long cr0;
    public long cr2;
    public long cr3;
    public long cr4;
    /** The task-priority register as CR8 exposes it (bits 3:0). */
    public long cr8;
    public long efer;
    public long apicBase;

    /** DR0-DR3, DR6 and DR7; DR4/DR5 alias DR6/DR7 when CR4.DE is clear. */
    public final long[] dr = new long[4];
    public long dr6;
    public long dr7;

    /** Vectors queued by KVM_INTERRUPT, 256 bits (kvm_sregs.interrupt_bitmap). */
    public final long[] interruptBitmap = new long[4];

    /** The STI / MOV SS shadow: interrupts are held off until the next instruction retires. */
    public boolean interruptShadow;
    /** The vcpu executed HLT and waits for an interrupt. */
    public boolean halted;

    public final Msrs msrs = new Msrs();
    public final FpuState fpu = new FpuState();

    /** What CPUID answers (KVM_SET_CPUID2); configuration rather than state, so {@link #reset()} keeps it. */
    public CpuidModel cpuid = CpuidModel.defaults();

    public CpuState() {
        reset();
    }

    /** The power-on state of SDM Vol. 3A 9.1.1 (Table 9-1), with KVM's APIC base. */
    public void reset() {
        java.util.Arrays.fill(gpr, 0);
        gpr[2] = 0x600; // RDX holds the processor signature after reset
        rip = 0xfff0;
        rflags = Rflags.FIXED1;
        for (int i = 0; i < 6; i++) {
            seg[i] = Segment.real(0, 3);
        }
        seg[SegmentRegister.CS] = new Segment(0xf000, 0xffff0000L, 0xffff, 11, 1, 0, 0, 1, 0, 0, 0, 0);
        tr = new Segment(0, 0, 0xffff, 11, 1, 0, 0, 0, 0, 0, 0, 0);
        ldt = new Segment(0, 0, 0xffff, 2, 1, 0, 0, 0, 0, 0, 0, 0);
        gdt = DescriptorTable.RESET;
        idt = DescriptorTable.RESET;
        cr0 = ControlRegisters.CR0_ET | ControlRegisters.CR0_CD | ControlRegisters.CR0_NW;
        cr2 = 0;
        cr3 = 0;
        cr4 = 0;
        cr8 = 0;
        efer = 0;
        apicBase = 0xfee00900L;
        java.util.Arrays.fill(dr, 0);
        dr6 = 0xffff0ff0L;
        dr7 = 0x400;
        java.util.Arrays.fill(interruptBitmap, 0);
        interruptShadow = false;
        halted = false;
        msrs.reset();
        fpu.reset();
    }

    /**
     * Current privilege level (SDM Vol. 3A 5.5): 0 in real mode, 3 in virtual-8086 mode, otherwise SS.DPL,
     * which always equals the CPL in protected mode and, unlike CS.DPL, stays right while a conforming code
     * segment runs and between setting CR0.PE and the far jump that reloads CS (KVM reads it the same way).
     */
    public int cpl() {
        if ((cr0 & ControlRegisters.CR0_PE) == 0) {
            return 0;
        }
        if ((rflags & Rflags.VM) != 0) {
            return 3;
        }
        return seg[SegmentRegister.SS].dpl();
    }

    /** IA-32e mode active (EFER.LMA). */
    public boolean longMode() {
        return (efer & ControlRegisters.EFER_LMA) != 0;
    }

    /** 64-bit sub-mode: IA-32e active and CS.L set. */
    public boolean mode64() {
        return longMode() && seg[SegmentRegister.CS].l() != 0;
    }

    public boolean protectedMode() {
        return (cr0 & ControlRegisters.CR0_PE) != 0;
    }

    public boolean virtual8086() {
        return protectedMode() && (rflags & Rflags.VM) != 0;
    }

    /** Queues a vector for injection (KVM_INTERRUPT). */
    public void queueInterrupt(int vector) {
        interruptBitmap[vector >>> 6] |= 1L << vector;
    }

    /** The lowest queued vector, or -1 when none is pending. */
    public int pendingInterrupt() {
        for (int w = 0; w < 4; w++) {
            if (interruptBitmap[w] != 0) {
                return w * 64 + Long.numberOfTrailingZeros(interruptBitmap[w]);
            }
        }
        return -1;
    }

    public void clearInterrupt(int vector) {
        interruptBitmap[vector >>> 6] &= ~(1L << vector);
    }

    /** Makes this state equal to {@code other}, field for field (snapshot capture and restore). */
    public void copyFrom(CpuState other) {
        System.arraycopy(other.gpr, 0, gpr, 0, gpr.length);
        rip = other.rip;
        rflags = other.rflags;
        System.arraycopy(other.seg, 0, seg, 0, seg.length);
        tr = other.tr;
        ldt = other.ldt;
        gdt = other.gdt;
        idt = other.idt;
        cr0 = other.cr0;
        cr2 = other.cr2;
        cr3 = other.cr3;
        cr4 = other.cr4;
        cr8 = other.cr8;
        efer = other.efer;
        apicBase = other.apicBase;
        System.arraycopy(other.dr, 0, dr, 0, dr.length);
        dr6 = other.dr6;
        dr7 = other.dr7;
        System.arraycopy(other.interruptBitmap, 0, interruptBitmap, 0, interruptBitmap.length);
        interruptShadow = other.interruptShadow;
        halted = other.halted;
        msrs.copyFrom(other.msrs);
    }
}
