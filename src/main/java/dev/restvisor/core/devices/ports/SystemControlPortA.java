package dev.restvisor.core.devices.ports;

import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.PortIoDevice;

/**
 * System Control Port A (0x92, the PS/2 "fast A20 and reset" port): bit 1 gates A20, and writing
 * bit 0 as 1 pulses the CPU reset line; bit 0 then reads back as 0.
 */
public final class SystemControlPortA implements PortIoDevice {

    public static final int PORT = 0x92;
    public static final int RESET = 0x01;
    public static final int A20 = 0x02;

    private final PlatformControl platform;
    private int value;

    /** Starts with A20 enabled, as firmware leaves it for a protected-mode guest. */
    public SystemControlPortA(PlatformControl platform) {
        this.platform = platform;
        this.value = A20;
    }

    public void claim(IoBus bus) {
        bus.claimPorts(PORT, 1, this, "port-a");
    }

    @Override
    public synchronized int read(int offset, int size) {
        return value;
    }

    @Override
    public synchronized void write(int offset, int size, int written) {
        int before = value;
        value = written & 0xFF & ~RESET;
        if (((before ^ value) & A20) != 0) {
            platform.setA20((value & A20) != 0);
        }
        if ((written & RESET) != 0) {
            platform.reset();
        }
    }

    public synchronized PortAState state() {
        return new PortAState(value);
    }

    /** Restores the register without calling the platform: the VM restores A20 itself. */
    public synchronized void restore(PortAState s) {
        value = s.value() & 0xFF & ~RESET;
    }

    public static SystemControlPortA fromState(PortAState s, PlatformControl platform) {
        SystemControlPortA port = new SystemControlPortA(platform);
        port.restore(s);
        return port;
    }
}
