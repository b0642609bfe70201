package dev.restvisor.core.vm;

import dev.restvisor.core.boot.AcpiTables;
import dev.restvisor.core.devices.acpi.PowerManagement;
import dev.restvisor.core.devices.acpi.PowerManagementState;
import dev.restvisor.core.devices.cmos.CmosState;
import dev.restvisor.core.devices.cmos.Mc146818;
import dev.restvisor.core.devices.pic8259.PicPair;
import dev.restvisor.core.devices.pic8259.PicState;
import dev.restvisor.core.devices.pit8254.Pit8254;
import dev.restvisor.core.devices.pit8254.PitState;
import dev.restvisor.core.devices.ports.DebugConsole;
import dev.restvisor.core.devices.ports.DebugExit;
import dev.restvisor.core.devices.ports.I8042;
import dev.restvisor.core.devices.ports.I8042State;
import dev.restvisor.core.devices.ports.PlatformControl;
import dev.restvisor.core.devices.ports.PortAState;
import dev.restvisor.core.devices.ports.PostCodePort;
import dev.restvisor.core.devices.ports.PostCodeState;
import dev.restvisor.core.devices.ports.SystemControlPortA;
import dev.restvisor.core.devices.uart16550.ComPort;
import dev.restvisor.core.devices.uart16550.Uart16550;
import dev.restvisor.core.devices.uart16550.UartState;
import dev.restvisor.core.io.IrqLine;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in devices of one VM and their wiring: UART, PIT and RTC interrupt lines reach the
 * PIC pair, and the PIC reaches every vcpu's INTR, the same delivery path as KVM_INTERRUPT. Each
 * device's power-on state is kept so a reset restores it, and each device is registered as a
 * {@link StatefulPart} so that snapshots keep its state record.
 */
public final class Platform {
    private final PicPair pic;
    private final Pit8254 pit;
    private final Mc146818 rtc;
    private final Map<ComPort, Uart16550> uarts = new EnumMap<>(ComPort.class);
    private final PostCodePort postCodes;
    private final SystemControlPortA portA;
    private final I8042 i8042;
    private final PowerManagement acpi;
    private final List<Runnable> resets = new ArrayList<>();
    private volatile boolean a20 = true;
    private final Vm vm;

    Platform(Vm vm, PlatformSpec spec, PlatformListener listener) {
        this.vm = vm;
        pic = spec.pic() ? new PicPair(listener::interruptRaised) : null;
        if (pic != null) {
            pic.claim(vm.io());
            vm.setInterruptController(pic);
            PicState initial = pic.state();
            resets.add(() -> pic.restore(initial));
            vm.addStatefulPart(new StatefulPart<>("pic8259", PicState.class, pic::state, pic::restore));
        }
        pit = spec.pit() ? new Pit8254(vm.clock(), irq(0)) : null;
        if (pit != null) {
            pit.claim(vm.io());
            vm.addTimedDevice(pit);
            PitState initial = pit.state();
            resets.add(() -> pit.restore(initial));
            vm.addStatefulPart(new StatefulPart<>("pit8254", PitState.class, pit::state, pit::restore));
        }
        rtc = spec.rtc() ? new Mc146818(vm.clock(), irq(8), 0) : null;
        if (rtc != null) {
            rtc.claim(vm.io());
            vm.addTimedDevice(rtc);
            CmosState initial = rtc.state();
            resets.add(() -> rtc.restore(initial));
            vm.addStatefulPart(new StatefulPart<>("mc146818", CmosState.class, rtc::state, rtc::restore));
        }
        for (ComPort port : spec.serial()) {
            Uart16550 uart = new Uart16550(vm.clock(), irq(port.irq()), b -> listener.serialOutput(port, b));
            uart.claim(vm.io(), port);
            vm.addTimedDevice(uart);
            uarts.put(port, uart);
            UartState initial = uart.state();
            resets.add(() -> uart.restore(initial));
            vm.addStatefulPart(new StatefulPart<>("uart16550:" + port.name().toLowerCase(), UartState.class, uart::state,
                    uart::restore));
        }
        if (spec.debugExitPort() >= 0) {
            new DebugExit(listener::debugExit).claim(vm.io(), spec.debugExitPort());
        }
        postCodes = spec.postCodes() ? new PostCodePort(listener::postCode) : null;
        if (postCodes != null) {
            postCodes.claim(vm.io());
            PostCodeState initial = postCodes.state();
            resets.add(() -> postCodes.restore(initial));
            vm.addStatefulPart(new StatefulPart<>("post-codes", PostCodeState.class, postCodes::state, postCodes::restore));
        }
        if (spec.debugConsole()) {
            new DebugConsole(b -> listener.serialOutput(null, b)).claim(vm.io());
        }
        PlatformControl control = new PlatformControl() {
            @Override
            public void reset() {
                listener.resetRequested();
            }

            @Override
            public void setA20(boolean enabled) {
                gateA20(enabled);
            }
        };
        portA = spec.systemControl() ? new SystemControlPortA(control) : null;
        i8042 = spec.systemControl() ? new I8042(control) : null;
        if (portA != null) {
            portA.claim(vm.io());
            i8042.claim(vm.io());
            PortAState initialA = portA.state();
            I8042State initialKbc = i8042.state();
            resets.add(() -> portA.restore(initialA));
            resets.add(() -> i8042.restore(initialKbc));
            vm.addStatefulPart(new StatefulPart<>("port92", PortAState.class, portA::state, portA::restore));
            vm.addStatefulPart(new StatefulPart<>("i8042", I8042State.class, i8042::state, i8042::restore));
            vm.addStatefulPart(new StatefulPart<>("a20", A20Gate.class, () -> new A20Gate(a20), g -> gateA20(g.enabled())));
        }
        acpi = spec.acpi() ? new PowerManagement(listener::powerOff) : null;
        if (acpi != null) {
            acpi.claim(vm.io());
            PowerManagementState initial = acpi.state();
            resets.add(() -> acpi.restore(initial));
            vm.addStatefulPart(new StatefulPart<>("acpi-pm", PowerManagementState.class, acpi::state, acpi::restore));
        }
    }

    /** What the ACPI tables of a direct-booted kernel describe, or null when the platform has no ACPI hardware. */
    public AcpiTables.Hardware acpiHardware() {
        return acpi == null ? null : new AcpiTables.Hardware(PowerManagement.EVENT_BLOCK, PowerManagement.CONTROL_BLOCK,
                PowerManagement.SCI_IRQ, PowerManagement.SLEEP_TYPE_S5, i8042 != null);
    }

    /** Sets the A20 gate and hands it to every vcpu's physical address path (bit 20 masked when off). */
    private void gateA20(boolean enabled) {
        a20 = enabled;
        for (Vcpu v : vm.vcpus()) {
            v.cpu().setA20(enabled);
        }
    }

    /** The A20 gate as a snapshot keeps it. */
    public record A20Gate(boolean enabled) {
    }

    private IrqLine irq(int n) {
        return pic == null ? IrqLine.NONE : pic.irq(n);
    }

    /** The UART on a COM port, or null when the definition has none there. */
    public Uart16550 uart(ComPort port) {
        return uarts.get(port);
    }

    public Map<ComPort, Uart16550> uarts() {
        return Map.copyOf(uarts);
    }

    /** The state of the A20 gate as the guest last set it through port 0x92 or the i8042. */
    public boolean a20() {
        return a20;
    }

    /** Puts every device back in its power-on state. */
    void reset() {
        resets.forEach(Runnable::run);
        gateA20(true);
    }
}
