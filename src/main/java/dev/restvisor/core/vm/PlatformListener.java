package dev.restvisor.core.vm;

import dev.restvisor.core.devices.uart16550.ComPort;

/** What the built-in devices report upward; the runtime implements it. Calls come from vcpu threads and must not block. */
public interface PlatformListener {

    /** A byte the guest transmitted on a UART (or on the 0xE9 debug console, with {@code port} null). */
    void serialOutput(ComPort port, int value);

    /** The guest wrote {@code status} to the debug-exit port. */
    void debugExit(int status);

    /** A POST code written to port 0x80. */
    void postCode(int code);

    /** The guest pulsed the reset line (port 0x92 bit 0 or i8042 command 0xFE). */
    void resetRequested();

    /** The guest entered ACPI S5 (soft-off) through PM1a_CNT. */
    void powerOff();

    /** An interrupt line rose: a halted vcpu may have something to do. */
    void interruptRaised();
}
