package dev.restvisor.linux;

import dev.restvisor.core.cpu.state.Rflags;
import dev.restvisor.core.devices.uart16550.ComPort;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.vm.Platform;
import dev.restvisor.core.vm.PlatformListener;
import dev.restvisor.core.vm.PlatformSpec;
import dev.restvisor.core.vm.RunRequest;
import dev.restvisor.core.vm.RunResult;
import dev.restvisor.core.vm.Vcpu;
import dev.restvisor.core.vm.VcpuExit;
import dev.restvisor.core.vm.Vm;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Boots the Linux guest in the core alone (no HTTP, no threads): the built-in devices of the minimal platform,
 * a run loop that idles HLT to the next timer deadline, and the console collected. The Linux boot benchmark
 * uses it, and as a program it prints the console of one boot:
 * {@code java ... dev.restvisor.linux.LinuxBootProbe ["cmdline"]} with {@code -Dlimit=N} to stop after N
 * instructions (a fixed workload for profiling).
 */
public final class LinuxBootProbe {
    public static final String CMDLINE = "console=ttyS0 pci=off tsc=reliable cryptomgr.notests mitigations=off 8250.nr_uarts=1";

    /**
     * One boot: wall seconds and instructions retired until the shell prompt (0 when it was not reached),
     * and everything the console printed.
     */
    public record Boot(double secondsToPrompt, long instructionsToPrompt, String console, String end) {
    }

    private LinuxBootProbe() {
    }

    public static void main(String[] args) throws Exception {
        Boot b = boot(args.length > 0 ? args[0] : CMDLINE, Long.getLong("limit", 3_000_000_000L),
                "uname -r; echo $((6*7)); ls /; poweroff -f\n", true);
        System.out.printf("%n[%s; prompt after %.1f s, %,d instructions, %.1f M instructions/s]%n", b.end(), b.secondsToPrompt(),
                b.instructionsToPrompt(), b.instructionsToPrompt() / Math.max(b.secondsToPrompt(), 1e-9) / 1e6);
    }

    /**
     * Boots until every vcpu halts for good, SHUTDOWN, or {@code limit} instructions; types {@code input} at the
     * first prompt after BOOT-OK. With {@code echo} the console goes to stdout as it comes.
     */
    public static Boot boot(String cmdline, long limit, String input, boolean echo) throws Exception {
        LinuxGuest guest = (LinuxGuest) LinuxGuest.find();
        StringBuilder console = new StringBuilder();
        long start = System.nanoTime();
        Vm vm = new Vm(MemoryQuota.UNLIMITED, false, false, 0);
        try {
            vm.memory().setRegion(0, 0, 0, 256L << 20);
            vm.createVcpu(0);
            Console listener = new Console(console, echo);
            Platform platform = vm.attachPlatform(PlatformSpec.of(List.of("com1"), true, true, true, -1, false, false, true, true), listener);
            vm.loadLinux(guest.kernelBytes(), guest.initramfs(), cmdline, null);
            Vcpu v = vm.vcpu(0);
            byte[] io = null;
            double seconds = 0;
            long instructions = 0;
            while (vm.instructionsRetired() < limit && !listener.poweredOff) {
                RunResult r = v.run(new RunRequest(false, io, null, false, false, 1 << 20, 1_000_000_000L));
                io = null;
                switch (r.exit()) {
                    case VcpuExit.Io x -> {
                        if (x.in()) {
                            io = new byte[x.size() * x.count()];
                            Arrays.fill(io, (byte) 0xff);
                        }
                    }
                    case VcpuExit.Hlt h -> {
                        if (!v.inspect(s -> (s.rflags & Rflags.IF) != 0)) {
                            return new Boot(seconds, instructions, console.toString(), "halted with interrupts off");
                        }
                        vm.advanceTimers();
                        if (!vm.interruptController().hasInterrupt()) {
                            vm.virtualClock().advanceTo(vm.nextTimerDeadline());
                            vm.advanceTimers();
                        }
                    }
                    case VcpuExit.Intr i -> { }
                    default -> {
                        return new Boot(seconds, instructions, console.toString(), "exit " + r.exit() + " at rip 0x" + Long.toHexString(v.inspect(s -> s.rip)));
                    }
                }
                int marker = console.indexOf("BOOT-OK");
                if (instructions == 0 && marker >= 0 && console.indexOf("# ", marker) >= 0) {
                    seconds = (System.nanoTime() - start) / 1e9;
                    instructions = vm.instructionsRetired();
                    byte[] typed = input.getBytes(StandardCharsets.US_ASCII);
                    platform.uart(ComPort.COM1).receive(typed, 0, typed.length);
                }
            }
            return new Boot(seconds, instructions, console.toString(), listener.poweredOff ? "powered off (ACPI S5)" : "instruction limit");
        } finally {
            vm.close();
        }
    }

    private static final class Console implements PlatformListener {
        private final StringBuilder text;
        private final boolean echo;
        volatile boolean poweredOff;

        Console(StringBuilder text, boolean echo) {
            this.text = text;
            this.echo = echo;
        }

        @Override
        public void serialOutput(ComPort port, int value) {
            text.append((char) value);
            if (echo) {
                System.out.write(value);
                System.out.flush();
            }
        }

        @Override
        public void debugExit(int status) {
        }

        @Override
        public void postCode(int code) {
        }

        @Override
        public void resetRequested() {
            text.append("\n[reset requested]\n");
        }

        @Override
        public void interruptRaised() {
        }

        @Override
        public void powerOff() {
            poweredOff = true;
        }
    }
}
