package dev.restvisor.core.cpu.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

import static dev.restvisor.core.cpu.exec.FlatMachine.CODE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Instructions that need several MMIO reads answered by the VM client: each read stops the instruction with an
 * exit, and each run again replays the answers already given, so the instruction gets one read further per exit
 * and its effects happen once. Physical memory from 4 MiB up is unbacked in {@link FlatMachine}.
 */
class MmioReplayTest {
    private static final long MMIO = 4 << 20;

    /** Runs to HLT answering every MMIO read of {@code len} bytes at {@code pa} with {@code answer(pa)}. */
    private static List<String> runAnswering(FlatMachine m, LongUnaryOperator answer) {
        List<String> reads = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            CpuExit e = m.run();
            if (e.reason != ExitReason.MMIO) {
                assertEquals(ExitReason.HLT, e.reason);
                return reads;
            }
            reads.add(Long.toHexString(e.mmioPhysAddr) + "/" + e.mmioLen + " at +" + Long.toHexString(m.state.rip - CODE));
            byte[] data = new byte[e.mmioLen];
            long v = answer.applyAsLong(e.mmioPhysAddr);
            for (int b = 0; b < data.length; b++) {
                data[b] = (byte) (v >>> (8 * b));
            }
            m.cpu.completeMmioRead(data);
        }
        throw new AssertionError("no HLT after " + reads);
    }

    @Test
    void repeatedCmpsOfTwoMmioOperands() {
        FlatMachine m = new FlatMachine().code(
                0xBE, 0x00, 0x00, 0x40, 0x00,   // +0  mov esi, 0x400000
                0xBF, 0x00, 0x01, 0x40, 0x00,   // +5  mov edi, 0x400100
                0xB9, 0x03, 0x00, 0x00, 0x00,   // +a  mov ecx, 3
                0xF3, 0xA7,                     // +f  repe cmpsd
                0xF4);                          // +11 hlt
        // equal pairs at offsets 0 and 4, a difference at 8
        List<String> reads = runAnswering(m, pa -> pa == MMIO + 0x108 ? 1 : pa & 0xff);
        assertEquals(List.of("400000/4 at +f", "400100/4 at +f", "400004/4 at +f", "400104/4 at +f", "400008/4 at +f",
                "400108/4 at +f"), reads);
        assertEquals(0, m.state.gpr[1], "three iterations, the last unequal");
        assertEquals(MMIO + 12, m.state.gpr[6]);
        assertEquals(CODE + 0x12, m.state.rip);
    }

    @Test
    void popadFromAnMmioStack() {
        FlatMachine m = new FlatMachine().code(
                0xBC, 0x00, 0x00, 0x40, 0x00,   // +0 mov esp, 0x400000
                0x61,                           // +5 popad
                0xF4);                          // +6 hlt
        List<String> reads = runAnswering(m, pa -> 0x1000 + (pa & 0xff));
        assertEquals(8, reads.size(), "one exit per register, none asked twice: " + reads);
        assertEquals(MMIO + 32, m.state.gpr[4]);
        assertEquals(0x1000 + 28, m.state.gpr[0], "EAX is popped last");
        assertEquals(0x1000, m.state.gpr[7], "EDI first");
    }
}
