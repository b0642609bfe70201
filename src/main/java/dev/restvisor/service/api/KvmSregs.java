package dev.restvisor.service.api;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.SegmentRegister;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** kvm_sregs: segment, descriptor-table and control registers, EFER, APIC base and pending interrupts. */
@Schema(description = "kvm_sregs. On PUT, omitted members keep their current value (an extension: KVM_SET_SREGS "
        + "takes the whole struct); a segment or table that is present must be complete.")
public record KvmSregs(
        @Schema(description = "CS.") KvmSegment cs,
        @Schema(description = "DS.") KvmSegment ds,
        @Schema(description = "ES.") KvmSegment es,
        @Schema(description = "FS.") KvmSegment fs,
        @Schema(description = "GS.") KvmSegment gs,
        @Schema(description = "SS.") KvmSegment ss,
        @Schema(description = "Task register.") KvmSegment tr,
        @Schema(description = "LDT register.") KvmSegment ldt,
        @Schema(description = "GDTR.") KvmDtable gdt,
        @Schema(description = "IDTR.") KvmDtable idt,
        @Schema(description = "CR0 (u64).") U64 cr0,
        @Schema(description = "CR2, the last page-fault linear address (u64).") U64 cr2,
        @Schema(description = "CR3 (u64).") U64 cr3,
        @Schema(description = "CR4 (u64).") U64 cr4,
        @Schema(description = "CR8, the task-priority register (u64, bits 3:0).") U64 cr8,
        @Schema(description = "IA32_EFER (u64). LMA is computed by the processor but may be set here, as KVM allows.") U64 efer,
        @Schema(description = "IA32_APIC_BASE (u64).") U64 apicBase,
        @ArraySchema(minItems = 4, maxItems = 4, arraySchema = @Schema(description = "The 256-bit pending-interrupt bitmap "
                + "as four u64 words, bit n of word w = vector 64*w+n, queued by KVM_INTERRUPT and not yet delivered. On PUT an "
                + "empty array counts as absent (generated clients send [] for unset arrays)."))
        List<U64> interruptBitmap) {

    private static final String[] SEGMENTS = {"es", "cs", "ss", "ds", "fs", "gs"};

    static KvmSregs from(CpuState s) {
        return new KvmSregs(KvmSegment.from(s.seg[SegmentRegister.CS]), KvmSegment.from(s.seg[SegmentRegister.DS]),
                KvmSegment.from(s.seg[SegmentRegister.ES]), KvmSegment.from(s.seg[SegmentRegister.FS]),
                KvmSegment.from(s.seg[SegmentRegister.GS]), KvmSegment.from(s.seg[SegmentRegister.SS]),
                KvmSegment.from(s.tr), KvmSegment.from(s.ldt), KvmDtable.from(s.gdt), KvmDtable.from(s.idt),
                U64.of(s.cr0), U64.of(s.cr2), U64.of(s.cr3), U64.of(s.cr4), U64.of(s.cr8), U64.of(s.efer),
                U64.of(s.apicBase), List.of(U64.of(s.interruptBitmap[0]), U64.of(s.interruptBitmap[1]),
                        U64.of(s.interruptBitmap[2]), U64.of(s.interruptBitmap[3])));
    }

    /** Validates the request completely, then applies it; a bad member changes nothing. */
    void applyTo(CpuState s) {
        List<U64> bitmap = interruptBitmap == null || interruptBitmap.isEmpty() ? null : interruptBitmap;
        KvmSegment[] bySreg = {es, cs, ss, ds, fs, gs};
        var segs = new dev.restvisor.core.cpu.state.Segment[6];
        for (int i = 0; i < 6; i++) {
            segs[i] = bySreg[i] == null ? s.seg[i] : bySreg[i].toSegment(SEGMENTS[i]);
        }
        var newTr = tr == null ? s.tr : tr.toSegment("tr");
        var newLdt = ldt == null ? s.ldt : ldt.toSegment("ldt");
        var newGdt = gdt == null ? s.gdt : gdt.toTable("gdt");
        var newIdt = idt == null ? s.idt : idt.toTable("idt");
        if (bitmap != null && bitmap.size() != 4) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "interrupt_bitmap",
                    "interrupt_bitmap must hold exactly 4 u64 words, got " + bitmap.size());
        }
        if (cr8 != null && (cr8.value() & ~0xfL) != 0) {
            throw new ApiException(ProblemType.INVALID_ARGUMENT, "cr8", "cr8 holds only bits 3:0");
        }
        if (bitmap != null) {
            for (int i = 0; i < 4; i++) {
                if (bitmap.get(i) == null) {
                    throw new ApiException(ProblemType.INVALID_ARGUMENT, "interrupt_bitmap[" + i + "]", "must not be null");
                }
            }
        }
        System.arraycopy(segs, 0, s.seg, 0, 6);
        s.tr = newTr;
        s.ldt = newLdt;
        s.gdt = newGdt;
        s.idt = newIdt;
        s.cr0 = Fields.orElse(cr0, s.cr0);
        s.cr2 = Fields.orElse(cr2, s.cr2);
        s.cr3 = Fields.orElse(cr3, s.cr3);
        s.cr4 = Fields.orElse(cr4, s.cr4);
        s.cr8 = Fields.orElse(cr8, s.cr8);
        s.efer = Fields.orElse(efer, s.efer);
        s.apicBase = Fields.orElse(apicBase, s.apicBase);
        if (bitmap != null) {
            for (int i = 0; i < 4; i++) {
                s.interruptBitmap[i] = bitmap.get(i).value();
            }
        }
    }
}
