package dev.restvisor.core.devices.uart16550;

/** The conventional PC serial port addresses and ISA IRQs. */
public enum ComPort {
    COM1(0x3F8, 4),
    COM2(0x2F8, 3),
    COM3(0x3E8, 4),
    COM4(0x2E8, 3);

    private final int base;
    private final int irq;

    ComPort(int base, int irq) {
        this.base = base;
        this.irq = irq;
    }

    public int base() {
        return base;
    }

    public int irq() {
        return irq;
    }
}
