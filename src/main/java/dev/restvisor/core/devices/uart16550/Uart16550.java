package dev.restvisor.core.devices.uart16550;

import dev.restvisor.core.io.Clock;
import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.IrqLine;
import dev.restvisor.core.io.PortIoDevice;
import dev.restvisor.core.io.TimedDevice;
import java.util.function.IntConsumer;

/**
 * A 16550A UART occupying eight ports. Methods are synchronized because the console thread
 * feeds {@link #receive} while a vcpu thread accesses the registers.
 */
public final class Uart16550 implements PortIoDevice, TimedDevice {

    public static final int PORT_COUNT = 8;
    public static final int FIFO_SIZE = 16;
    public static final int DEFAULT_INPUT_CAPACITY = 4096;

    // Register offsets (datasheet table II).
    static final int RBR_THR_DLL = 0;
    static final int IER_DLM = 1;
    static final int IIR_FCR = 2;
    static final int LCR = 3;
    static final int MCR = 4;
    static final int LSR = 5;
    static final int MSR = 6;
    static final int SCR = 7;

    public static final int IER_ERBFI = 0x01;
    public static final int IER_ETBEI = 0x02;
    public static final int IER_ELSI = 0x04;
    public static final int IER_EDSSI = 0x08;

    public static final int IIR_NO_INTERRUPT = 0x01;
    public static final int IIR_LINE_STATUS = 0x06;
    public static final int IIR_RDA = 0x04;
    public static final int IIR_CHAR_TIMEOUT = 0x0C;
    public static final int IIR_THRE = 0x02;
    public static final int IIR_MODEM_STATUS = 0x00;
    public static final int IIR_FIFOS_ENABLED = 0xC0;

    public static final int FCR_ENABLE = 0x01;
    public static final int FCR_CLEAR_RX = 0x02;

    public static final int LCR_DLAB = 0x80;

    public static final int MCR_DTR = 0x01;
    public static final int MCR_RTS = 0x02;
    public static final int MCR_OUT1 = 0x04;
    public static final int MCR_OUT2 = 0x08;
    public static final int MCR_LOOP = 0x10;

    public static final int LSR_DR = 0x01;
    public static final int LSR_OE = 0x02;
    public static final int LSR_THRE = 0x20;
    public static final int LSR_TEMT = 0x40;
    private static final int LSR_ERROR_BITS = 0x1E;

    public static final int MSR_CTS = 0x10;
    public static final int MSR_DSR = 0x20;
    public static final int MSR_RI = 0x40;
    public static final int MSR_DCD = 0x80;
    private static final int MSR_TERI = 0x04;

    /** Outside loopback the far end is a terminal that is always present and ready. */
    private static final int MSR_EXTERNAL_INPUTS = MSR_CTS | MSR_DSR | MSR_DCD;
    private static final long UART_CLOCK_HZ = 1_843_200;

    private final Clock clock;
    private final IrqLine irq;
    private final IntConsumer tx;
    private final byte[] rx = new byte[FIFO_SIZE];
    private int rxHead;
    private int rxCount;
    private final byte[] input;
    private int inputHead;
    private int inputCount;

    private int dll = 0x0C;
    private int dlm;
    private int ier;
    private int fcr;
    private int lcr;
    private int mcr;
    private int scr;
    private int rbr;
    private int lsrErrors;
    private int msrDelta;
    private boolean threPending;
    private boolean timeoutPending;
    private long timeoutDeadline = Long.MAX_VALUE;
    private boolean irqLevel;

    /** A UART whose transmitted bytes go to {@code tx} and whose interrupt output drives {@code irq}. */
    public Uart16550(Clock clock, IrqLine irq, IntConsumer tx) {
        this(clock, irq, tx, DEFAULT_INPUT_CAPACITY);
    }

    public Uart16550(Clock clock, IrqLine irq, IntConsumer tx, int inputCapacity) {
        if (inputCapacity < 1) {
            throw new IllegalArgumentException("inputCapacity must be positive: " + inputCapacity);
        }
        this.clock = clock;
        this.irq = irq;
        this.tx = tx;
        this.input = new byte[inputCapacity];
    }

    /** Claims the eight registers at {@code port}'s base. The IRQ line is the caller's to wire. */
    public void claim(IoBus bus, ComPort port) {
        bus.claimPorts(port.base(), PORT_COUNT, this, port.name());
    }

    // ---- console side ----

    /**
     * Queues console input; bytes move on into the receiver FIFO as it has room. Returns how many
     * bytes of {@code data[offset..offset+length)} were accepted; the caller keeps the rest and offers it again once {@link #inputSpace()} is
     * positive. Accepted bytes are never dropped.
     */
    public synchronized int receive(byte[] data, int offset, int length) {
        int accepted = 0;
        while (accepted < length && inputCount < input.length) {
            input[(inputHead + inputCount) % input.length] = data[offset + accepted];
            inputCount++;
            accepted++;
            refillFromInput();
        }
        updateIrq();
        return accepted;
    }

    /** How many more bytes {@link #receive} accepts now. */
    public synchronized int inputSpace() {
        return input.length - inputCount;
    }

    // ---- registers ----

    @Override
    public synchronized int read(int offset, int size) {
        int value = switch (offset) {
            case RBR_THR_DLL -> dlab() ? dll : readRbr();
            case IER_DLM -> dlab() ? dlm : ier;
            case IIR_FCR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            case SCR -> scr;
            default -> 0xFF;
        };
        updateIrq();
        return value;
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        value &= 0xFF;
        switch (offset) {
            case RBR_THR_DLL -> {
                if (dlab()) {
                    dll = value;
                } else {
                    transmit(value);
                }
            }
            case IER_DLM -> {
                if (dlab()) {
                    dlm = value;
                } else {
                    // Enabling ETBEI with the holding register already empty interrupts at once
                    // (datasheet, "THRE interrupt"): the empty condition is re-armed.
                    if ((value & IER_ETBEI) != 0 && (ier & IER_ETBEI) == 0) {
                        threPending = true;
                    }
                    ier = value & 0x0F;
                }
            }
            case IIR_FCR -> writeFcr(value);
            case LCR -> lcr = value;
            case MCR -> writeMcr(value & 0x1F);
            case SCR -> scr = value;
            default -> { } // LSR and MSR writes are for factory test only
        }
        updateIrq();
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private boolean fifoMode() {
        return (fcr & FCR_ENABLE) != 0;
    }

    private int readRbr() {
        if (rxCount > 0) {
            rbr = rx[rxHead] & 0xFF;
            rxHead = (rxHead + 1) % FIFO_SIZE;
            rxCount--;
            refillFromInput();
        }
        timeoutPending = false;
        armTimeout();
        return rbr;
    }

    private int readIir() {
        int id = interruptId();
        if (id == IIR_THRE) {
            // Reading IIR while THRE is the reported source clears it (datasheet table IV).
            threPending = false;
        }
        return id | (fifoMode() ? IIR_FIFOS_ENABLED : 0);
    }

    private int readLsr() {
        int value = lsrErrors | LSR_THRE | LSR_TEMT | (rxCount > 0 ? LSR_DR : 0);
        lsrErrors = 0;
        return value;
    }

    private int readMsr() {
        int value = msrInputs() | msrDelta;
        msrDelta = 0;
        return value;
    }

    /** MSR bits 4-7. In loopback they are DTR, RTS, OUT1 and OUT2 fed back (datasheet 8.6.3). */
    private int msrInputs() {
        if ((mcr & MCR_LOOP) == 0) {
            return MSR_EXTERNAL_INPUTS;
        }
        return ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                | ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0)
                | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    private void writeMcr(int value) {
        int before = msrInputs();
        mcr = value;
        refillFromInput();
        int after = msrInputs();
        int changed = before ^ after;
        // Delta bits: DCTS, DDSR, DDCD on any change; TERI only when RI goes from on to off.
        msrDelta |= ((changed & MSR_CTS) != 0 ? 0x01 : 0)
                | ((changed & MSR_DSR) != 0 ? 0x02 : 0)
                | ((before & MSR_RI) != 0 && (after & MSR_RI) == 0 ? MSR_TERI : 0)
                | ((changed & MSR_DCD) != 0 ? 0x08 : 0);
    }

    private void writeFcr(int value) {
        boolean enabling = ((value ^ fcr) & FCR_ENABLE) != 0;
        if (enabling || (value & FCR_CLEAR_RX) != 0) {
            clearRx();
        }
        // The transmitter drains at once, so the transmit FIFO reset (bit 2) changes nothing visible.
        fcr = value & 0xC9;
        refillFromInput();
    }

    private void clearRx() {
        rxHead = 0;
        rxCount = 0;
        timeoutPending = false;
        timeoutDeadline = Long.MAX_VALUE;
    }

    private void transmit(int value) {
        if ((mcr & MCR_LOOP) != 0) {
            pushRx(value);
        } else {
            tx.accept(value);
        }
        // The byte leaves the holding register and shift register at once: THR is empty again.
        threPending = true;
    }

    /** A character arriving at the receiver shift register; overruns if there is no room. */
    private void pushRx(int value) {
        if (rxCount >= rxCapacity()) {
            lsrErrors |= LSR_OE;
            return;
        }
        rx[(rxHead + rxCount) % FIFO_SIZE] = (byte) value;
        rxCount++;
        armTimeout();
    }

    private int rxCapacity() {
        return fifoMode() ? FIFO_SIZE : 1;
    }

    private void refillFromInput() {
        if ((mcr & MCR_LOOP) != 0) {
            return; // in loopback the receiver is disconnected from the serial input
        }
        while (inputCount > 0 && rxCount < rxCapacity()) {
            pushRx(input[inputHead] & 0xFF);
            inputHead = (inputHead + 1) % input.length;
            inputCount--;
        }
    }

    private int triggerLevel() {
        return switch (fcr >> 6) {
            case 0 -> 1;
            case 1 -> 4;
            case 2 -> 8;
            default -> 14;
        };
    }

    /** IIR bits 0-3 by the priorities of datasheet table IV. */
    private int interruptId() {
        if ((ier & IER_ELSI) != 0 && (lsrErrors & LSR_ERROR_BITS) != 0) {
            return IIR_LINE_STATUS;
        }
        if ((ier & IER_ERBFI) != 0 && rxCount >= (fifoMode() ? triggerLevel() : 1)) {
            return IIR_RDA;
        }
        if ((ier & IER_ERBFI) != 0 && timeoutPending) {
            return IIR_CHAR_TIMEOUT;
        }
        if ((ier & IER_ETBEI) != 0 && threPending) {
            return IIR_THRE;
        }
        if ((ier & IER_EDSSI) != 0 && msrDelta != 0) {
            return IIR_MODEM_STATUS;
        }
        return IIR_NO_INTERRUPT;
    }

    private void updateIrq() {
        boolean level = irqLevelWanted();
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- character timeout ----

    /**
     * In FIFO mode a timeout is indicated when characters wait in the FIFO and none was received
     * or read for four character times (datasheet, "FIFO interrupt mode operation").
     */
    private void armTimeout() {
        timeoutDeadline = fifoMode() && rxCount > 0
                ? clock.nanos() + 4 * characterNanos()
                : Long.MAX_VALUE;
    }

    /** Start bit, 5-8 data bits, optional parity, 1 or 2 stop bits at 1.8432 MHz / (16 * divisor). */
    long characterNanos() {
        int bits = 1 + 5 + (lcr & 0x03) + ((lcr & 0x08) != 0 ? 1 : 0) + ((lcr & 0x04) != 0 ? 2 : 1);
        int divisor = dlm << 8 | dll;
        long effective = divisor == 0 ? 0x10000 : divisor;
        return bits * effective * 16 * 1_000_000_000L / UART_CLOCK_HZ;
    }

    @Override
    public synchronized long nextDeadlineNanos() {
        return timeoutDeadline;
    }

    @Override
    public synchronized void advanceTo(long nanos) {
        if (nanos >= timeoutDeadline) {
            timeoutDeadline = Long.MAX_VALUE;
            timeoutPending = rxCount > 0;
            updateIrq();
        }
    }

    // ---- snapshots ----

    public synchronized UartState state() {
        byte[] fifo = new byte[rxCount];
        for (int i = 0; i < rxCount; i++) {
            fifo[i] = rx[(rxHead + i) % FIFO_SIZE];
        }
        byte[] queued = new byte[inputCount];
        for (int i = 0; i < inputCount; i++) {
            queued[i] = input[(inputHead + i) % input.length];
        }
        return new UartState(dll, dlm, ier, fcr, lcr, mcr, scr, rbr, lsrErrors, msrDelta, threPending,
                timeoutPending, timeoutDeadline, fifo, queued);
    }

    /** Replaces every register with {@code s}; the IRQ line is driven to match. */
    public synchronized void restore(UartState s) {
        byte[] fifo = s.rxFifo();
        byte[] queued = s.input();
        if (fifo.length > FIFO_SIZE || queued.length > input.length) {
            throw new IllegalArgumentException("UART state does not fit: " + s);
        }
        dll = s.dll();
        dlm = s.dlm();
        ier = s.ier();
        fcr = s.fcr();
        lcr = s.lcr();
        mcr = s.mcr();
        scr = s.scr();
        rbr = s.rbr();
        lsrErrors = s.lsrErrors();
        msrDelta = s.msrDelta();
        threPending = s.threPending();
        timeoutPending = s.timeoutPending();
        timeoutDeadline = s.timeoutDeadline();
        System.arraycopy(fifo, 0, rx, 0, fifo.length);
        rxHead = 0;
        rxCount = fifo.length;
        System.arraycopy(queued, 0, input, 0, queued.length);
        inputHead = 0;
        inputCount = queued.length;
        irqLevel = !irqLevelWanted();
        updateIrq();
    }

    /** The OUT2 pin gates the interrupt output on PC serial cards; loopback forces OUT2 inactive. */
    private boolean irqLevelWanted() {
        return interruptId() != IIR_NO_INTERRUPT && (mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
    }

    public static Uart16550 fromState(UartState s, Clock clock, IrqLine irq, IntConsumer tx) {
        Uart16550 uart = new Uart16550(clock, irq, tx, Math.max(DEFAULT_INPUT_CAPACITY, s.input().length));
        uart.restore(s);
        return uart;
    }
}
