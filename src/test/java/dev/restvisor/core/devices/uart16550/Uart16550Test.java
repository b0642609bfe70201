package dev.restvisor.core.devices.uart16550;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.devices.FakeClock;
import dev.restvisor.core.devices.IrqProbe;
import dev.restvisor.core.io.IoBus;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Uart16550Test {

    private static final int COM1 = ComPort.COM1.base();
    private static final int RBR = COM1;
    private static final int IER = COM1 + 1;
    private static final int IIR = COM1 + 2;
    private static final int FCR = COM1 + 2;
    private static final int LCR = COM1 + 3;
    private static final int MCR = COM1 + 4;
    private static final int LSR = COM1 + 5;
    private static final int MSR = COM1 + 6;
    private static final int SCR = COM1 + 7;

    private final FakeClock clock = new FakeClock(1_000_000);
    private final IrqProbe irq = new IrqProbe();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final IoBus bus = new IoBus();
    private Uart16550 uart;

    @BeforeEach
    void setUp() {
        uart = new Uart16550(clock, irq, out::write, 32);
        uart.claim(bus, ComPort.COM1);
    }

    private int in(int port) {
        return bus.readPort(port, 1);
    }

    private void out(int port, int value) {
        bus.writePort(port, 1, value);
    }

    /** 115200 baud 8N1 with FIFOs, OUT2 and the given IER, the way a Linux console sets it up. */
    private void init(int fcr, int ier) {
        out(LCR, 0x80);
        out(RBR, 0x01);
        out(IER, 0x00);
        out(LCR, 0x03);
        out(FCR, fcr);
        out(MCR, Uart16550.MCR_DTR | Uart16550.MCR_RTS | Uart16550.MCR_OUT2);
        out(IER, ier);
    }

    private void receive(String s) {
        byte[] b = s.getBytes();
        assertEquals(b.length, uart.receive(b, 0, b.length));
    }

    @Test
    void resetValuesMatchTheDatasheet() {
        assertEquals(0x00, in(IER));
        assertEquals(0x01, in(IIR));
        assertEquals(0x00, in(LCR));
        assertEquals(0x00, in(MCR));
        assertEquals(0x60, in(LSR));
        assertFalse(irq.level());
    }

    @Test
    void divisorLatchIsReachedOnlyWithDlab() {
        out(IER, 0x05);
        out(LCR, 0x83);
        out(RBR, 0x0C);
        out(IER, 0x00);
        assertEquals(0x0C, in(RBR));
        assertEquals(0x00, in(IER));
        out(LCR, 0x03);
        assertEquals(0x05, in(IER), "IER untouched by DLM writes");
        assertEquals(0x03, in(LCR));
        out(SCR, 0x5A);
        assertEquals(0x5A, in(SCR));
        // 10 bits per 8N1 character at 9600 baud: 1041666 ns
        assertEquals(1_041_666, uart.characterNanos());
    }

    @Test
    void transmittedBytesReachTheSinkAndThreInterrupts() {
        init(0x00, Uart16550.IER_ETBEI);
        // Enabling ETBEI with an empty THR interrupts at once.
        assertEquals(Uart16550.IIR_THRE, in(IIR));
        assertFalse(irq.level(), "reading IIR cleared the THRE interrupt");
        assertEquals(Uart16550.IIR_NO_INTERRUPT, in(IIR));
        out(RBR, 'h');
        out(RBR, 'i');
        assertEquals("hi", out.toString());
        assertTrue(irq.level());
        assertEquals(0x60, in(LSR) & 0x60, "THRE and TEMT");
        out(RBR, '!');
        assertEquals(2, irq.risingEdges());
    }

    @Test
    void interruptOutputIsGatedByOut2() {
        init(0x00, Uart16550.IER_ERBFI);
        out(MCR, Uart16550.MCR_DTR);
        receive("a");
        assertEquals(Uart16550.IIR_RDA, in(IIR));
        assertFalse(irq.level());
        out(MCR, Uart16550.MCR_OUT2);
        assertTrue(irq.level());
        assertEquals('a', in(RBR));
        assertFalse(irq.level());
    }

    @Test
    void rdaFollowsTheFifoTriggerLevel() {
        init(0x87, Uart16550.IER_ERBFI); // FIFO on, cleared, trigger level 8
        receive("1234567");
        assertEquals(0xC1, in(IIR), "below trigger: no interrupt, FIFO bits set");
        assertEquals(Uart16550.LSR_DR, in(LSR) & Uart16550.LSR_DR);
        receive("8");
        assertEquals(0xC4, in(IIR));
        assertTrue(irq.level());
        assertEquals('1', in(RBR));
        assertEquals(0xC1, in(IIR), "7 left, below trigger again");
        assertFalse(irq.level());
    }

    @Test
    void characterTimeoutAfterFourCharacterTimes() {
        init(0xC7, Uart16550.IER_ERBFI); // trigger level 14
        receive("abc");
        long charTime = uart.characterNanos();
        assertEquals(clock.nanos() + 4 * charTime, uart.nextDeadlineNanos());
        uart.advanceTo(clock.nanos() + 4 * charTime - 1);
        assertEquals(0xC1, in(IIR));
        clock.advance(4 * charTime);
        uart.advanceTo(clock.nanos());
        assertEquals(0xCC, in(IIR));
        assertTrue(irq.level());
        assertEquals('a', in(RBR));
        assertEquals(0xC1, in(IIR), "a read clears the timeout indication and restarts the timer");
        assertEquals(clock.nanos() + 4 * charTime, uart.nextDeadlineNanos());
        in(RBR);
        in(RBR);
        assertEquals(Long.MAX_VALUE, uart.nextDeadlineNanos(), "empty FIFO: no timer");
    }

    @Test
    void iirReportsTheHighestPriorityAndLsrClearsLineStatus() {
        init(0x00, Uart16550.IER_ERBFI | Uart16550.IER_ETBEI | Uart16550.IER_ELSI);
        out(MCR, Uart16550.MCR_LOOP | Uart16550.MCR_OUT2);
        out(RBR, 'x');
        out(RBR, 'y'); // 16450 mode holds one byte: overrun
        assertEquals(Uart16550.IIR_LINE_STATUS, in(IIR));
        int lsr = in(LSR);
        assertEquals(Uart16550.LSR_OE | Uart16550.LSR_DR, lsr & 0x1F);
        assertEquals(0, in(LSR) & Uart16550.LSR_OE, "OE cleared by the read");
        assertEquals(Uart16550.IIR_RDA, in(IIR));
        assertEquals('x', in(RBR));
        assertEquals(Uart16550.IIR_THRE, in(IIR));
        assertEquals(Uart16550.IIR_NO_INTERRUPT, in(IIR));
        assertEquals("", out.toString(), "loopback keeps bytes off the line");
    }

    @Test
    void loopbackFeedsModemControlIntoModemStatus() {
        init(0x00, 0);
        // The probe Linux's 8250 driver uses: LOOP | OUT2 | RTS must read back DCD | CTS.
        out(MCR, 0x1A);
        assertEquals(0x90, in(MSR) & 0xF0);
        out(MCR, 0x1F);
        assertEquals(0xF0, in(MSR) & 0xF0);
        out(MCR, 0x10);
        assertEquals(0x0F, in(MSR) & 0x0F, "OUT1 (RI) falling sets TERI, the others their deltas");
        assertEquals(0x00, in(MSR) & 0x0F, "deltas clear on read");
    }

    @Test
    void modemStatusInterruptHasLowestPriority() {
        init(0x00, Uart16550.IER_EDSSI | Uart16550.IER_ETBEI);
        out(MCR, Uart16550.MCR_LOOP);
        in(MSR);
        out(MCR, Uart16550.MCR_LOOP | Uart16550.MCR_DTR);
        assertEquals(Uart16550.IIR_THRE, in(IIR));
        assertEquals(Uart16550.IIR_MODEM_STATUS, in(IIR));
        assertEquals(0x22, in(MSR), "DSR with DDSR");
        assertEquals(Uart16550.IIR_NO_INTERRUPT, in(IIR));
    }

    @Test
    void outsideLoopbackTheTerminalIsReady() {
        assertEquals(Uart16550.MSR_CTS | Uart16550.MSR_DSR | Uart16550.MSR_DCD, in(MSR));
    }

    @Test
    void inputQueueIsBoundedAndLosesNothing() {
        init(0x07, 0);
        byte[] data = new byte[50];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        int accepted = uart.receive(data, 0, data.length);
        // 16 move straight into the FIFO, 32 wait in the queue.
        assertEquals(48, accepted);
        assertEquals(0, uart.inputSpace());
        for (int i = 0; i < 10; i++) {
            assertEquals(i, in(RBR));
        }
        assertEquals(10, uart.inputSpace());
        assertEquals(2, uart.receive(data, accepted, data.length - accepted));
        for (int i = 10; i < 50; i++) {
            assertEquals(Uart16550.LSR_DR, in(LSR) & Uart16550.LSR_DR);
            assertEquals(i, in(RBR));
        }
        assertEquals(0, in(LSR) & Uart16550.LSR_DR);
    }

    @Test
    void withoutFifoTheReceiverHoldsOneByte() {
        init(0x00, 0);
        receive("ab");
        assertEquals('a', in(RBR));
        assertEquals('b', in(RBR));
        assertEquals(0, in(LSR) & Uart16550.LSR_DR);
    }

    @Test
    void fcrClearsTheReceiveFifo() {
        init(0x01, 0);
        receive("abc");
        out(FCR, 0x03);
        assertEquals(0, in(LSR) & Uart16550.LSR_DR);
    }

    @Test
    void probesOfADriverIdentifyA16550A() {
        // Scratch test of IER: only bits 0-3 exist.
        out(IER, 0x00);
        assertEquals(0x00, in(IER) & 0x0F);
        out(IER, 0xFF);
        assertEquals(0x0F, in(IER));
        out(IER, 0x00);
        // FIFO enable makes IIR bits 7-6 read 11 on a 16550A (and not on a 16550 or 16450).
        out(FCR, Uart16550.FCR_ENABLE);
        assertEquals(0xC0, in(IIR) & 0xC0);
        // No enhanced-feature register behind LCR=0xBF, no 64-byte FIFO bit in IIR.
        out(LCR, 0xBF);
        assertEquals(0xC1, in(IIR));
        out(LCR, 0x00);
        out(FCR, Uart16550.FCR_ENABLE | 0x20);
        assertEquals(0, in(IIR) & 0x20);
        // The transmitter-empty interrupt re-asserts each time ETBEI is enabled.
        out(MCR, Uart16550.MCR_OUT2);
        out(IER, Uart16550.IER_ETBEI);
        assertEquals(Uart16550.IIR_THRE, in(IIR) & 0x0F);
        out(IER, 0);
        out(IER, Uart16550.IER_ETBEI);
        assertEquals(Uart16550.IIR_THRE, in(IIR) & 0x0F);
        assertEquals(2, irq.risingEdges());
    }

    @Test
    void stateRoundTripsAndResumes() {
        init(0x87, Uart16550.IER_ERBFI);
        receive("0123456789ABCDEFGHIJ");
        in(RBR);
        UartState s = uart.state();
        assertEquals(16, s.rxFifo().length);
        assertArrayEquals("HIJ".getBytes(), s.input());

        IrqProbe irq2 = new IrqProbe();
        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        Uart16550 copy = Uart16550.fromState(s, clock, irq2, out2::write);
        assertEquals(s, copy.state());
        assertTrue(irq2.level(), "restore drives the IRQ line");
        IoBus bus2 = new IoBus();
        copy.claim(bus2, ComPort.COM2);
        StringBuilder got = new StringBuilder();
        while ((bus2.readPort(ComPort.COM2.base() + 5, 1) & Uart16550.LSR_DR) != 0) {
            got.append((char) bus2.readPort(ComPort.COM2.base(), 1));
        }
        assertEquals("123456789ABCDEFGHIJ", got.toString());
    }
}
