package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.boot.FlatImageLoader;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ../shared/bench guests, built with small workload sizes into target/, run in the core from the
 * Multiboot entry state (32-bit protected mode; the long-mode images switch to paging and 64-bit code
 * themselves, the -pm32 images stay in 32-bit mode; both use SSE2). The test acts as the device model: COM1
 * (LSR always ready) and the exit port 0xF4. Each checksum line must equal the native build's. Skipped
 * when ../shared/bench, gcc or nasm is missing.
 */
class BenchGuestTest {
    private static final String SIZES = "-DQUEENS_N=6 -DQUEENS_REPS=1 -DFIB_N=18 -DCOLLATZ_LIMIT=300 -DNBODY_STEPS=200"
            + " -DMM_REPS=2 -DINT_CRC_PASSES=2 -DINT_HASH_PASSES=20 -DINT_GCD_PAIRS=20000 -DMEM_COPY_PASSES=1"
            + " -DMEM_CHASE_STEPS=20000";

    @Test
    void benchGuestsMatchTheirNativeChecksums() throws Exception {
        Path bench = SharedBench.build("bench-small", SIZES);

        List<String> failures = new ArrayList<>();
        for (String w : new String[] {"hello", "int", "mem", "branch", "fp"}) {
            for (String suffix : new String[] {"", "-pm32"}) {
                String name = w + suffix;
                String nativeOut = SharedBench.run(bench, List.of("./out/native/" + name));
                String guestOut = runGuest(Files.readAllBytes(bench.resolve("out/guest/" + name + ".bin")));
                String want = nativeOut.lines().findFirst().orElse("");
                String got = guestOut.lines().findFirst().orElse("");
                if (!want.equals(got) || !guestOut.contains("exit=0")) {
                    failures.add(name + ": got [" + guestOut.strip() + "] want [" + want + "]");
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Runs one image; returns its COM1 output followed by "exit=N" (or the exit that stopped it). */
    private static String runGuest(byte[] image) {
        GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        memory.setRegion(0, 0, 0, 16 << 20);
        CpuState s = new CpuState();
        // the Multiboot entry state ../shared/bench/README.md specifies
        FlatImageLoader.load(memory, s, image, 0x100000, FlatImageLoader.Entry.PROTECTED32, 0x100000);
        Cpu cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            CpuExit e = cpu.run(1 << 20);
            switch (e.reason) {
                case IO -> {
                    if (e.ioIn) {
                        cpu.completeIo(new byte[] {0x60, 0x60, 0x60, 0x60}); // COM1 LSR: THR empty, idle
                    } else if (e.ioPort == 0x3f8) {
                        for (int k = 0; k < e.ioCount * e.ioSize; k++) {
                            out.append((char) (e.ioData[k] & 0xff));
                        }
                    } else if (e.ioPort == 0xf4) {
                        return out.append("exit=").append(e.ioData[0]).toString();
                    }
                }
                case INTR -> { }
                default -> {
                    return out.append("stopped: ").append(e.reason).append(" rip=").append(Long.toHexString(s.rip))
                            .toString();
                }
            }
        }
        return out.append("no exit").toString();
    }
}
