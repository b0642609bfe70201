package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.boot.FlatImageLoader;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A benchmark, not a test: guest instructions retired per second for each ../shared/bench guest in the
 * core, built with the bench's own workload sizes into target/bench-full (0.46 to 4.5 G instructions each, so
 * the JVM's warm-up is a small part of every figure). Runs only with -Dbenchmark=true; prints one line per
 * guest, the best of {@code -Drounds} runs (2 unless given). Where qemu-system-x86_64 is installed, QEMU TCG
 * runs the same image in the same run (the bench's run-qemu.sh), and the line shows its rate beside ours: the
 * instructions the core counted for the image over the time QEMU's guest measured for its workload with RDTSC
 * (tsc_delta / the host TSC rate, so QEMU's start and firmware are left out), and the ratio of the two.
 */
class BenchGuestSpeedBenchmark {
    @Test
    void benchGuests() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("benchmark"), "run with -Dbenchmark=true");
        Path bench = SharedBench.build("bench-full", "");
        Path dir = bench.resolve("out/guest");
        int rounds = Integer.getInteger("rounds", 2);
        boolean qemu = SharedBench.onPath("qemu-system-x86_64") && Files.isExecutable(bench.resolve("out/tools/tsc-hz"));
        double tscHz = qemu ? Double.parseDouble(SharedBench.run(bench, List.of("out/tools/tsc-hz")).trim()) : 0;
        for (String w : new String[] {"int", "mem", "branch", "fp"}) {
            for (String suffix : new String[] {"", "-pm32"}) {
                String name = w + suffix;
                byte[] image = Files.readAllBytes(dir.resolve(name + ".bin"));
                double best = 0;
                long n = 0;
                for (int round = 0; round < rounds; round++) {
                    long[] result = run(image);
                    n = result[0];
                    best = Math.max(best, result[0] * 1e3 / result[1]);
                }
                String beside = "";
                if (qemu) {
                    String out = SharedBench.run(bench, List.of("./run-qemu.sh", name));
                    long tscDelta = Long.parseLong(out.replaceAll("(?s).*tsc_delta=(\\d+).*", "$1"));
                    double qemuRate = n / (tscDelta / tscHz) / 1e6;
                    beside = String.format("   QEMU TCG %6.1f M/s   core/QEMU %.2fx", qemuRate, best / qemuRate);
                }
                System.out.printf("bench %-12s %,14d instructions  %6.1f M instructions/s%s%n", name, n, best, beside);
            }
        }
    }

    /** Runs an image to its exit port write; returns {instructions, nanoseconds}. */
    private static long[] run(byte[] image) {
        GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);
        memory.setRegion(0, 0, 0, 16 << 20);
        CpuState s = new CpuState();
        // the Multiboot entry state ../shared/bench/README.md specifies
        FlatImageLoader.load(memory, s, image, 0x100000, FlatImageLoader.Entry.PROTECTED32, 0x100000);
        Cpu cpu = new Cpu(s, memory, new IoBus(), new CpuConfig(() -> 0, false, 0));
        long t0 = System.nanoTime();
        while (true) {
            CpuExit e = cpu.run(Long.MAX_VALUE);
            if (e.reason == ExitReason.IO && e.ioIn) {
                cpu.completeIo(new byte[] {0x60, 0x60, 0x60, 0x60});
            } else if (e.reason != ExitReason.IO || e.ioPort == 0xf4) {
                return new long[] {cpu.instructionsRetired(), System.nanoTime() - t0};
            }
        }
    }
}
