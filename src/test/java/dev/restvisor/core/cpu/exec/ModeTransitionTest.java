package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Guest programs (src/test/resources/guests/*.S, assembled into *.bin) that walk through the operating modes
 * and report each stage as a byte written to port 0xe9.
 */
class ModeTransitionTest {

    /** Runs a guest from real mode at 0:1000 until HLT; returns the bytes it wrote to port 0xe9. */
    static byte[] runGuest(String name, CpuState state) throws IOException {
        GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        MemorySlot ram = memory.setRegion(0, 0, 0, 4 << 20);
        byte[] image;
        try (InputStream in = ModeTransitionTest.class.getResourceAsStream("/guests/" + name)) {
            assertNotNull(in, name);
            image = in.readAllBytes();
        }
        ram.writeBytes(0x1000, image, 0, image.length);
        state.seg[SegmentRegister.CS] = Segment.real(0, 11);
        state.rip = 0x1000;
        state.gpr[4] = 0x8000;
        Cpu cpu = new Cpu(state, memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            CpuExit e = cpu.run(100_000);
            switch (e.reason) {
                case IO -> {
                    assertEquals(0xe9, e.ioPort, "unexpected port");
                    out.write(e.ioData, 0, e.ioSize * e.ioCount);
                }
                case HLT -> {
                    return out.toByteArray();
                }
                default -> throw new AssertionError("exit " + e.reason + " at rip " + Long.toHexString(state.rip)
                        + " after " + java.util.Arrays.toString(out.toByteArray()));
            }
        }
        throw new AssertionError("no HLT at rip " + Long.toHexString(state.rip) + " after " + java.util.Arrays.toString(out.toByteArray()));
    }

    @Test
    void realToProtectedToPagingToLongModeAndRing3() throws IOException {
        CpuState state = new CpuState();
        byte[] marks = runGuest("modes.bin", state);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0x4f, 12, 11, 0x43, 0x3b, 0x6f, 13, 14}, marks);
        assertEquals(0, state.cpl());
    }

    @Test
    void protectedModeSegmentsPaePagingTasksGatesV86AndDoubleFault() throws IOException {
        CpuState state = new CpuState();
        byte[] marks = runGuest("prot32.bin", state);
        assertArrayEquals(new byte[] {1, (byte) 0xf8, 0x08, 0x40, 0x20, 2, 3, 4, 5, 6, 7, 8, 9, 0x55, 10, 11, 12, 0, 13,
            14, 15, 11, 16, 0}, marks);
    }

    @Test
    void x87ControlArithmeticMfMxcsrAndFxsaveInRealMode() throws IOException {
        byte[] marks = runGuest("fpu.bin", new CpuState());
        java.nio.ShortBuffer words = java.nio.ByteBuffer.wrap(marks).order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        short[] w = new short[words.remaining()];
        words.get(w);
        assertArrayEquals(new short[] {0x037f, 0, 0x027f, (short) 0x9fc0, (short) 0x9fc0, 0x5678, 0x1234, 6, (short) 0xb084,
            0x10, 0x1ff}, w);
    }
}
