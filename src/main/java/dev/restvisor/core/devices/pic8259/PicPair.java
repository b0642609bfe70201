package dev.restvisor.core.devices.pic8259;

import dev.restvisor.core.io.InterruptController;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.IrqLine;
import dev.restvisor.core.io.PortIoDevice;

/**
 * The master/slave 8259A pair of the PC/AT: IRQ 0-7 on the master, IRQ 8-15 on the slave whose
 * INT output drives master IR2. Synchronized: device IRQ lines may change on any thread.
 */
public final class PicPair implements InterruptController {

    public static final int MASTER_BASE = 0x20;
    public static final int SLAVE_BASE = 0xA0;
    public static final int ELCR_BASE = 0x4D0;
    public static final int CASCADE_IRQ = 2;

    private final Pic8259 master = new Pic8259(0xF8);
    private final Pic8259 slave = new Pic8259(0xDE);
    private final Runnable intrListener;
    private final IrqLine[] lines = new IrqLine[16];
    private boolean intr;

    /** {@code intrListener} runs (under the pair's lock) whenever the INTR output rises, e.g. to wake a halted vcpu. */
    public PicPair(Runnable intrListener) {
        this.intrListener = intrListener;
        for (int n = 0; n < 16; n++) {
            int irq = n;
            lines[n] = level -> setIrq(irq, level);
        }
    }

    public PicPair() {
        this(() -> { });
    }

    /** The request line of ISA IRQ {@code n} (0-15 except 2, which carries the slave). */
    public IrqLine irq(int n) {
        if (n < 0 || n > 15 || n == CASCADE_IRQ) {
            throw new IllegalArgumentException("no ISA IRQ line " + n);
        }
        return lines[n];
    }

    /** Claims 0x20-0x21, 0xA0-0xA1 and the ELCR at 0x4D0-0x4D1. */
    public void claim(IoBus bus) {
        bus.claimPorts(MASTER_BASE, 2, new ChipPorts(master), "pic-master");
        bus.claimPorts(SLAVE_BASE, 2, new ChipPorts(slave), "pic-slave");
        bus.claimPorts(ELCR_BASE, 2, new ElcrPorts(), "elcr");
    }

    private synchronized void setIrq(int n, boolean level) {
        if (n < 8) {
            master.setInput(n, level);
        } else {
            slave.setInput(n - 8, level);
        }
        update();
    }

    /** Propagates the slave's INT to master IR2 and the master's INT to the vcpu. */
    private void update() {
        master.setInput(CASCADE_IRQ, slave.pending() >= 0);
        boolean now = master.pending() >= 0;
        if (now && !intr) {
            intr = true;
            intrListener.run();
        }
        intr = now;
    }

    @Override
    public synchronized boolean hasInterrupt() {
        return master.pending() >= 0;
    }

    /**
     * The two INTA pulses. A request that vanished before INTA yields the IR7 vector of the chip
     * that lost it without setting its ISR bit: the spurious IRQ 7 / IRQ 15 the OS must not EOI
     * on that chip (datasheet, "Interrupt Sequence").
     */
    @Override
    public synchronized int acknowledge() {
        int n = master.acknowledge();
        int vector;
        if (n >= 0 && master.isCascade(n)) {
            vector = slave.vector(slave.acknowledge());
            // The slave drops INT during INTA; a request still pending raises it again, which
            // master IR2 sees as a fresh edge.
            master.setInput(CASCADE_IRQ, false);
        } else {
            vector = master.vector(n);
        }
        update();
        return vector;
    }

    public synchronized PicState state() {
        return new PicState(master.state(), slave.state());
    }

    public synchronized void restore(PicState s) {
        master.restore(s.master());
        slave.restore(s.slave());
        intr = false;
        update();
    }

    public static PicPair fromState(PicState s, Runnable intrListener) {
        PicPair pair = new PicPair(intrListener);
        pair.restore(s);
        return pair;
    }

    private final class ChipPorts implements PortIoDevice {
        private final Pic8259 chip;

        ChipPorts(Pic8259 chip) {
            this.chip = chip;
        }

        @Override
        public int read(int offset, int size) {
            synchronized (PicPair.this) {
                int value = chip.read(offset & 1);
                update();
                return value;
            }
        }

        @Override
        public void write(int offset, int size, int value) {
            synchronized (PicPair.this) {
                chip.write(offset & 1, value & 0xFF);
                update();
            }
        }
    }

    private final class ElcrPorts implements PortIoDevice {
        @Override
        public int read(int offset, int size) {
            synchronized (PicPair.this) {
                return (offset == 0 ? master : slave).elcr();
            }
        }

        @Override
        public void write(int offset, int size, int value) {
            synchronized (PicPair.this) {
                (offset == 0 ? master : slave).writeElcr(value & 0xFF);
                update();
            }
        }
    }
}
