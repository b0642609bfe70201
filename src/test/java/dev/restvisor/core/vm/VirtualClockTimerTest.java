package dev.restvisor.core.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.boot.FlatImageLoader;
import dev.restvisor.core.memory.MemoryQuota;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * With the deterministic clock a timer interrupt arrives at the same instruction however a client cuts the
 * vcpu's runs: the guest records its loop counter at each PIT tick, and runs of one instruction each (which
 * advance the timers after every instruction), of random lengths and of millions of instructions must record the
 * same counters.
 */
class VirtualClockTimerTest {

    private static final int TICKS = 24;
    private static final int RECORD = 0x3000;

    @Test
    void pitTicksLandOnTheSameInstructionForEveryRunLength() {
        int[] stepped = ticks(() -> 1);
        Random random = new Random(7);
        int[] randomRuns = ticks(() -> 1 + random.nextInt(40_000));
        int[] longRuns = ticks(() -> 10_000_000);
        assertTrue(stepped[0] > 0 && stepped[TICKS - 1] > stepped[0], "the loop ran between ticks");
        assertArrayEquals(stepped, randomRuns);
        assertArrayEquals(stepped, longRuns);
    }

    /** Boots the guest, running it in runs of {@code runLength} instructions until it halts; its loop counter at each tick. */
    private static int[] ticks(LongSupplier runLength) {
        Vm vm = new Vm(MemoryQuota.UNLIMITED, false, false, 0);
        try {
            vm.memory().setRegion(0, 0, 0, 1 << 20);
            vm.createVcpu(0);
            vm.attachPlatform(PlatformSpec.of(List.of(), true, true, false, -1, false, false, false, false), new Quiet());
            vm.loadFlatImage(guest(), 0x1000, FlatImageLoader.Entry.REAL, 0x1000);
            Vcpu v = vm.vcpu(0);
            while (true) {
                RunResult r = v.run(new RunRequest(false, null, null, false, false, runLength.getAsLong(), 60_000_000_000L));
                if (!(r.exit() instanceof VcpuExit.Intr)) {
                    assertInstanceOf(VcpuExit.Hlt.class, r.exit());
                    break;
                }
            }
            byte[] record = new byte[4 * (TICKS + 1)];
            vm.memory().read(RECORD, record, 0, record.length);
            IntBuffer words = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            int[] counters = new int[TICKS];
            words.get(counters);
            assertEquals(0, words.get(), "the handler stopped after the last tick");
            return counters;
        } finally {
            vm.close();
        }
    }

    /**
     * Real-mode code at 0x1000: IVT entry 0x20 to the handler at 0x2000, the PIC pair at vectors 0x20/0x28 with
     * only IRQ 0 unmasked, PIT channel 0 as a rate generator of 20 input ticks (16.8 us), then a counting loop with
     * interrupts on. The handler stores ECX at DI and halts after {@link #TICKS} ticks.
     */
    private static byte[] guest() {
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.writeBytes(new byte[] {(byte) 0xFA}); // cli
        code.writeBytes(new byte[] {(byte) 0xC7, 0x06, (byte) 0x80, 0x00, 0x00, 0x20}); // mov word [0x80], 0x2000
        code.writeBytes(new byte[] {(byte) 0xC7, 0x06, (byte) 0x82, 0x00, 0x00, 0x00}); // mov word [0x82], 0
        int[][] ports = {{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01}, {0xA0, 0x11}, {0xA1, 0x28},
                         {0xA1, 0x02}, {0xA1, 0x01}, {0x21, 0xFE}, {0xA1, 0xFF}, {0x43, 0x34}, {0x40, 20}, {0x40, 0}};
        for (int[] p : ports) {
            code.writeBytes(new byte[] {(byte) 0xB0, (byte) p[1], (byte) 0xE6, (byte) p[0]}); // mov al, v; out p, al
        }
        code.writeBytes(new byte[] {(byte) 0xBF, 0x00, 0x30}); // mov di, 0x3000
        code.writeBytes(new byte[] {0x66, 0x31, (byte) 0xC9}); // xor ecx, ecx
        code.writeBytes(new byte[] {(byte) 0xFB}); // sti
        code.writeBytes(new byte[] {0x66, 0x41}); // loop: inc ecx
        code.writeBytes(new byte[] {0x66, (byte) 0x89, 0x0E, 0x00, 0x40}); // mov [0x4000], ecx
        code.writeBytes(new byte[] {(byte) 0xEB, (byte) 0xF7}); // jmp loop
        byte[] image = new byte[0x1000 + 32];
        byte[] main = code.toByteArray();
        System.arraycopy(main, 0, image, 0, main.length);
        int end = RECORD + 4 * TICKS;
        byte[] handler = {
            0x66, (byte) 0x89, 0x0D, // mov [di], ecx
            (byte) 0x83, (byte) 0xC7, 0x04, // add di, 4
            (byte) 0x81, (byte) 0xFF, (byte) end, (byte) (end >> 8), // cmp di, end
            0x73, 0x05, // jae done
            (byte) 0xB0, 0x20, (byte) 0xE6, 0x20, // mov al, 0x20; out 0x20, al (EOI)
            (byte) 0xCF, // iret
            (byte) 0xFA, (byte) 0xF4 // done: cli; hlt
        };
        System.arraycopy(handler, 0, image, 0x1000, handler.length);
        return image;
    }

    private static final class Quiet implements PlatformListener {
        @Override
        public void serialOutput(dev.restvisor.core.devices.uart16550.ComPort port, int value) {
        }

        @Override
        public void debugExit(int status) {
        }

        @Override
        public void postCode(int code) {
        }

        @Override
        public void resetRequested() {
        }

        @Override
        public void powerOff() {
        }

        @Override
        public void interruptRaised() {
        }
    }
}
