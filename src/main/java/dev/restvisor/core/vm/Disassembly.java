package dev.restvisor.core.vm;

import dev.restvisor.core.cpu.decode.DecodedInstruction;
import dev.restvisor.core.cpu.decode.Decoder;
import dev.restvisor.core.cpu.decode.Disassembler;
import dev.restvisor.core.cpu.exec.Cpu;
import dev.restvisor.core.cpu.mmu.Translation;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;
import java.util.ArrayList;
import java.util.List;

/**
 * Intel-syntax listing of guest code as the vcpu would fetch it: instruction pointers are CS
 * offsets, bytes are read through CS and the current paging mode, in the vcpu's code size.
 */
public final class Disassembly {

    /** One listed instruction; {@code bytes} is empty and {@code text} says why when nothing could be fetched. */
    public record Line(long address, byte[] bytes, String text) {
    }

    private Disassembly() {
    }

    static List<Line> list(Cpu cpu, GuestMemory memory, long ip, int count) {
        CpuState s = cpu.state();
        Segment cs = s.seg[SegmentRegister.CS];
        int mode = s.mode64() ? 64 : cs.db() != 0 && s.protectedMode() && !s.virtual8086() ? 32 : 16;
        long base = s.mode64() ? 0 : cs.base();
        long mask = mode == 64 ? -1L : mode == 32 ? 0xffffffffL : 0xffffL;
        boolean[] unmapped = new boolean[1];
        Decoder.ByteSource fetch = offset -> {
            Translation t = cpu.translate(base + (offset & mask));
            MemorySlot slot = t.valid() ? memory.slotAt(t.physicalAddress()) : null;
            if (slot == null) {
                unmapped[0] = true;
                return 0;
            }
            return slot.read8(t.physicalAddress() - slot.base());
        };
        List<Line> lines = new ArrayList<>();
        DecodedInstruction d = new DecodedInstruction();
        long at = ip & mask;
        for (int i = 0; i < count; i++) {
            unmapped[0] = false;
            int result = Decoder.decode(fetch, at, mode, d);
            if (unmapped[0]) {
                lines.add(new Line(at, new byte[0], "(no memory at linear 0x" + Long.toHexString(base + at) + ")"));
                break;
            }
            int length = Math.max(1, d.length);
            byte[] bytes = new byte[length];
            for (int b = 0; b < length; b++) {
                bytes[b] = (byte) fetch.fetch(at + b);
            }
            lines.add(new Line(at, bytes, result == Decoder.OK ? Disassembler.format(d, at) : "(bad)"));
            at = (at + length) & mask;
        }
        return lines;
    }
}
