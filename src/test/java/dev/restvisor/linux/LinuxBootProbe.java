package dev.restvisor.linux;

import dev.restvisor.core.boot.LinuxLoader;
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
import java.util.List;

/** Development probe: boots the Linux guest in the core alone and prints the console. */
public final class LinuxBootProbe {
    public static void main(String[] args) throws Exception {
        LinuxGuest guest = (LinuxGuest) LinuxGuest.find();
        String cmdline = args.length > 0 ? args[0]
                : "console=ttyS0 earlyprintk=serial,ttyS0 acpi=off pci=off tsc_early_khz=1000000 tsc=reliable cryptomgr.notests mitigations=off 8250.nr_uarts=1";
        Vm vm = new Vm(MemoryQuota.UNLIMITED, false, false, 0);
        vm.memory().setRegion(0, 0, 0, 256L << 20);
        vm.createVcpu(0);
        StringBuilder console = new StringBuilder();
        Platform platform = vm.attachPlatform(PlatformSpec.of(List.of("com1"), true, true, true, -1, true, false, true), new PlatformListener() {
            public void serialOutput(ComPort port, int value) {
                System.out.write(value);
                System.out.flush();
                console.append((char) value);
            }
            public void debugExit(int status) { }
            public void postCode(int code) { }
            public void resetRequested() {
                System.out.println("\n[reset requested]");
            }
            public void interruptRaised() { }
        });
        LinuxLoader.Layout layout = vm.loadLinux(guest.kernelBytes(), guest.initramfs(), cmdline, null);
        System.out.println(layout);
        Vcpu v = vm.vcpu(0);
        v.modify(s -> s.cpuid = new dev.restvisor.core.cpu.state.CpuidModel(s.cpuid.entries().stream()
                .map(e -> e.function() == 1 ? new dev.restvisor.core.cpu.state.CpuidModel.Entry(1, 0, false, e.eax(), e.ebx(), e.ecx(), e.edx() | 1) : e).toList()));
        long start = System.nanoTime();
        byte[] io = null;
        boolean typed = false;
        long limit = Long.getLong("limit", 3_000_000_000L);
        while (vm.instructionsRetired() < limit) {
            RunResult r = v.run(new RunRequest(false, io, null, false, false, 1 << 20, 1_000_000_000L));
            io = null;
            switch (r.exit()) {
                case VcpuExit.Io x -> {
                    if (x.in()) {
                        io = new byte[x.size() * x.count()];
                        java.util.Arrays.fill(io, (byte) 0xff);
                    }
                }
                case VcpuExit.Hlt h -> {
                    boolean iff = v.inspect(s -> (s.rflags & Rflags.IF) != 0);
                    if (!iff) {
                        System.out.println("\n[halted with IF=0]");
                        dump(v);
                        return;
                    }
                    vm.advanceTimers();
                    if (!vm.interruptController().hasInterrupt()) {
                        vm.virtualClock().advanceTo(vm.nextTimerDeadline());
                        vm.advanceTimers();
                    }
                }
                case VcpuExit.Shutdown s -> {
                    System.out.println("\n[shutdown]");
                    dump(v);
                    return;
                }
                case VcpuExit.Intr i -> { }
                default -> {
                    System.out.println("\n[exit " + r.exit() + "]");
                    dump(v);
                    return;
                }
            }
            if (!typed && console.indexOf("# ") >= 0 && console.indexOf("BOOT-OK") >= 0) {
                typed = true;
                double secs = (System.nanoTime() - start) / 1e9;
                System.out.printf("%n[prompt after %.1f s, %d instructions, %.1f MIPS]%n", secs, vm.instructionsRetired(),
                        vm.instructionsRetired() / secs / 1e6);
                byte[] cmd = "uname -r; echo $((6*7)); ls /; poweroff -f\n".getBytes(StandardCharsets.US_ASCII);
                platform.uart(ComPort.COM1).receive(cmd, 0, cmd.length);
            }
        }
        System.out.println("\n[instruction limit]");
        dump(v);
    }

    private static void dump(Vcpu v) {
        v.inspect(s -> {
            System.out.printf("rip=%x rsp=%x cr0=%x cr3=%x cr4=%x efer=%x rflags=%x cs=%s%n", s.rip, s.gpr[4], s.cr0, s.cr3, s.cr4,
                    s.efer, s.rflags, s.seg[1]);
            return null;
        });
        System.out.println("instructions " + v.instructionsRetired());
    }

    private LinuxBootProbe() {
    }
}
