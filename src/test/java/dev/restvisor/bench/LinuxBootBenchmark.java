package dev.restvisor.bench;

import dev.restvisor.core.cpu.exec.SharedBench;
import dev.restvisor.linux.LinuxBootProbe;
import dev.restvisor.linux.LinuxGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Linux boot time, a benchmark and not a test: the Debian kernel with the test initramfs from start to the
 * shell prompt in the core (wall time including the host-side unpacking of the kernel, and guest instructions
 * retired), beside QEMU's software emulator (TCG) booting the same kernel, initramfs and command line through
 * ../shared/linux/boot-qemu.sh in the same run, when qemu-system-x86_64 and ../shared are present.
 * <p>
 * Run: {@code ./mvnw -q -o -Dskip.frontend=true -Dcodegen.skip=true test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.restvisor.bench.LinuxBootBenchmark} (after tools/fetch-linux-guest.sh).
 */
public final class LinuxBootBenchmark {
    private static final Path SHARED_LINUX = Path.of("..", "shared", "linux");

    private LinuxBootBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (!(LinuxGuest.find() instanceof LinuxGuest guest)) {
            System.out.println(LinuxGuest.find());
            return;
        }
        int rounds = Integer.getInteger("rounds", 2);
        List<Double> ours = new ArrayList<>();
        long instructions = 0;
        for (int i = 0; i < rounds; i++) {
            LinuxBootProbe.Boot b = LinuxBootProbe.boot(LinuxBootProbe.CMDLINE, 3_000_000_000L, "poweroff -f\n", false);
            if (b.instructionsToPrompt() == 0) {
                throw new IllegalStateException("the kernel did not reach its prompt (" + b.end() + "):\n" + b.console());
            }
            ours.add(b.secondsToPrompt());
            instructions = b.instructionsToPrompt();
            System.out.printf("restvisor round %d: prompt after %.2f s, %,d instructions (%.1f M instructions/s)%n", i + 1,
                    b.secondsToPrompt(), b.instructionsToPrompt(), b.instructionsToPrompt() / b.secondsToPrompt() / 1e6);
        }
        double best = ours.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        Double qemu = qemuSeconds(guest, rounds);
        System.out.printf("restvisor: %.2f s to the prompt (best of %d), %,d guest instructions%n", best, rounds, instructions);
        if (qemu == null) {
            System.out.println("QEMU: not measured (needs qemu-system-x86_64 and ../shared/linux)");
        } else {
            System.out.printf("QEMU TCG (boot-qemu.sh -t, elf64 direct boot, same kernel, initramfs and command line): %.2f s to the prompt%n", qemu);
            System.out.printf("ratio restvisor / QEMU: %.1fx (target: at most 1.5x)%n", best / qemu);
        }
    }

    /**
     * QEMU's median time until its shell answered {@code echo hi} (a little after the prompt, so the comparison
     * slightly favours us) over {@code rounds} boots, or null where it cannot run here.
     */
    private static Double qemuSeconds(LinuxGuest guest, int rounds) throws Exception {
        if (!Files.isRegularFile(SHARED_LINUX.resolve("boot-qemu.sh")) || !SharedBench.onPath("qemu-system-x86_64")) {
            return null;
        }
        Path build = Files.createDirectories(SHARED_LINUX.resolve("build"));
        Files.copy(guest.kernel(), build.resolve("vmlinuz"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path initrd = build.resolve("restvisor-initramfs.cpio");
        Files.write(initrd, guest.initramfs());
        ProcessBuilder pb = new ProcessBuilder("./boot-qemu.sh", "-t", "-r", String.valueOf(rounds), "-a", LinuxBootProbe.CMDLINE)
                .directory(SHARED_LINUX.toFile()).redirectErrorStream(true);
        pb.environment().put("INITRD", initrd.toAbsolutePath().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        System.out.print(out);
        // boot-test.py prints "run N: marker=1.23s shell=1.31s ...": shell is when the shell answered `echo hi`
        Matcher m = Pattern.compile("shell=([0-9]+\\.[0-9]+)s").matcher(out);
        List<Double> times = new ArrayList<>();
        while (m.find()) {
            times.add(Double.parseDouble(m.group(1)));
        }
        return times.isEmpty() ? null : times.stream().sorted().toList().get(times.size() / 2);
    }
}
