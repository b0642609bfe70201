package dev.restvisor.core.devices.pic8259;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.restvisor.core.io.IoBus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PicPairTest {

    private static final int M_CMD = 0x20;
    private static final int M_DATA = 0x21;
    private static final int S_CMD = 0xA0;
    private static final int S_DATA = 0xA1;
    private static final int OCW3_READ_IRR = 0x0A;
    private static final int OCW3_READ_ISR = 0x0B;
    private static final int NON_SPECIFIC_EOI = 0x20;

    private final IoBus bus = new IoBus();
    private int intrRises;
    private PicPair pic;

    @BeforeEach
    void setUp() {
        pic = new PicPair(() -> intrRises++);
        pic.claim(bus);
    }

    private int in(int port) {
        return bus.readPort(port, 1);
    }

    private void out(int port, int value) {
        bus.writePort(port, 1, value);
    }

    /** The sequence of Linux's init_8259A: ICW1 edge + ICW4, vectors 0x20/0x28, cascade on IR2, 8086 mode. */
    private void initLikeLinux(int icw4) {
        out(M_DATA, 0xFF);
        out(S_DATA, 0xFF);
        out(M_CMD, 0x11);
        out(M_DATA, 0x20);
        out(M_DATA, 1 << 2);
        out(M_DATA, icw4);
        out(S_CMD, 0x11);
        out(S_DATA, 0x28);
        out(S_DATA, 0x02);
        out(S_DATA, icw4);
        out(M_DATA, 0x00);
        out(S_DATA, 0x00);
    }

    private int isr(int cmdPort) {
        out(cmdPort, OCW3_READ_ISR);
        return in(cmdPort);
    }

    private int irr(int cmdPort) {
        out(cmdPort, OCW3_READ_IRR);
        return in(cmdPort);
    }

    @Test
    void initialisationSetsVectorsAndAnEdgeIsDeliveredOnce() {
        initLikeLinux(0x01);
        assertFalse(pic.hasInterrupt());
        pic.irq(0).pulse();
        assertTrue(pic.hasInterrupt());
        assertEquals(1, intrRises);
        assertEquals(0x01, irr(M_CMD));
        assertEquals(0x20, pic.acknowledge());
        assertEquals(0x00, irr(M_CMD));
        assertEquals(0x01, isr(M_CMD));
        assertFalse(pic.hasInterrupt());
        out(M_CMD, NON_SPECIFIC_EOI);
        assertEquals(0x00, isr(M_CMD));
        assertFalse(pic.hasInterrupt(), "an edge is delivered once");
    }

    @Test
    void maskedRequestsWaitInIrr() {
        initLikeLinux(0x01);
        out(M_DATA, 0x02);
        assertEquals(0x02, in(M_DATA), "OCW1 reads back");
        pic.irq(1).raise();
        assertFalse(pic.hasInterrupt());
        assertEquals(0x02, irr(M_CMD), "IRR is before the mask");
        out(M_DATA, 0x00);
        assertTrue(pic.hasInterrupt());
        assertEquals(0x21, pic.acknowledge());
    }

    @Test
    void fullyNestedPriority() {
        initLikeLinux(0x01);
        pic.irq(3).raise();
        pic.irq(1).raise();
        assertEquals(0x21, pic.acknowledge());
        assertFalse(pic.hasInterrupt(), "IR3 is below IR1 in service");
        pic.irq(0).raise();
        assertTrue(pic.hasInterrupt(), "IR0 preempts IR1");
        assertEquals(0x20, pic.acknowledge());
        assertEquals(0x03, isr(M_CMD));
        out(M_CMD, NON_SPECIFIC_EOI); // clears IR0, the highest in service
        assertEquals(0x02, isr(M_CMD));
        out(M_CMD, NON_SPECIFIC_EOI);
        assertEquals(0x23, pic.acknowledge());
    }

    @Test
    void slaveInterruptsCascadeThroughIr2() {
        initLikeLinux(0x01);
        pic.irq(12).raise();
        assertTrue(pic.hasInterrupt());
        assertEquals(0x04, irr(M_CMD));
        assertEquals(0x2C, pic.acknowledge());
        assertEquals(0x04, isr(M_CMD));
        assertEquals(0x10, isr(S_CMD));
        pic.irq(12).lower();
        pic.irq(14).raise();
        assertFalse(pic.hasInterrupt(), "IR14 is below IR12 in service on the slave");
        out(S_CMD, NON_SPECIFIC_EOI);
        assertFalse(pic.hasInterrupt(), "master IR2 still in service");
        out(M_CMD, NON_SPECIFIC_EOI);
        assertTrue(pic.hasInterrupt());
        assertEquals(0x2E, pic.acknowledge());
    }

    @Test
    void slaveRequestsStillPendingAfterAutoEoiAreSeenAgain() {
        initLikeLinux(0x03);
        pic.irq(9).raise();
        pic.irq(10).raise();
        assertEquals(0x29, pic.acknowledge());
        assertTrue(pic.hasInterrupt());
        assertEquals(0x2A, pic.acknowledge());
        assertEquals(0, isr(M_CMD));
        assertEquals(0, isr(S_CMD));
    }

    @Test
    void vanishedLevelRequestGivesSpuriousIrq7WithoutIsr() {
        initLikeLinux(0x01);
        out(PicPair.ELCR_BASE, 0x20); // IRQ 5 level triggered
        pic.irq(5).raise();
        assertTrue(pic.hasInterrupt());
        pic.irq(5).lower();
        assertEquals(0x00, irr(M_CMD), "a level request follows the line");
        assertEquals(0x27, pic.acknowledge());
        assertEquals(0x00, isr(M_CMD));
    }

    @Test
    void vanishedSlaveRequestGivesSpuriousIrq15WithMasterIr2InService() {
        initLikeLinux(0x01);
        out(PicPair.ELCR_BASE + 1, 0x04); // IRQ 10 level triggered
        pic.irq(10).raise();
        pic.irq(10).lower();
        assertTrue(pic.hasInterrupt(), "master IR2 latched the slave's INT edge");
        assertEquals(0x2F, pic.acknowledge());
        assertEquals(0x04, isr(M_CMD));
        assertEquals(0x00, isr(S_CMD));
    }

    @Test
    void levelRequestRepeatsAfterEoiWhileHigh() {
        initLikeLinux(0x01);
        out(PicPair.ELCR_BASE + 1, 0x08); // IRQ 11
        pic.irq(11).raise();
        assertEquals(0x2B, pic.acknowledge());
        out(S_CMD, NON_SPECIFIC_EOI);
        out(M_CMD, NON_SPECIFIC_EOI);
        assertTrue(pic.hasInterrupt());
        assertEquals(0x2B, pic.acknowledge());
    }

    @Test
    void ltimMakesEveryInputLevelTriggered() {
        out(M_CMD, 0x1B); // LTIM, single, ICW4 needed
        out(M_DATA, 0x40);
        out(M_DATA, 0x01);
        pic.irq(6).raise();
        pic.irq(6).lower();
        assertFalse(pic.hasInterrupt());
        pic.irq(6).raise();
        assertEquals(0x46, pic.acknowledge());
    }

    @Test
    void autoEoiLeavesIsrClear() {
        initLikeLinux(0x03);
        pic.irq(4).pulse();
        assertEquals(0x24, pic.acknowledge());
        assertEquals(0x00, isr(M_CMD));
    }

    @Test
    void specificEoiAndRotation() {
        initLikeLinux(0x01);
        pic.irq(1).pulse();
        pic.irq(4).pulse();
        assertEquals(0x21, pic.acknowledge());
        out(M_CMD, 0x60 | 1); // specific EOI for IR1
        assertEquals(0x24, pic.acknowledge());
        out(M_CMD, 0xA0); // rotate on non-specific EOI: IR4 becomes the lowest priority
        assertEquals(0, isr(M_CMD));
        pic.irq(4).pulse();
        pic.irq(3).pulse();
        pic.irq(5).pulse();
        assertEquals(0x25, pic.acknowledge(), "after rotation IR5 is the highest");
        out(M_CMD, 0xC0 | 7); // set priority: IR7 lowest again
        out(M_CMD, 0x60 | 5);
        assertEquals(0x23, pic.acknowledge());
    }

    @Test
    void specialMaskModeLetsLowerLevelsIn() {
        initLikeLinux(0x01);
        pic.irq(3).pulse();
        assertEquals(0x23, pic.acknowledge());
        pic.irq(5).pulse();
        assertFalse(pic.hasInterrupt());
        out(M_CMD, 0x68); // OCW3: set special mask mode
        out(M_DATA, 0x08); // mask IR3, which is in service
        assertTrue(pic.hasInterrupt());
        assertEquals(0x25, pic.acknowledge());
        out(M_CMD, NON_SPECIFIC_EOI);
        assertEquals(0x08, isr(M_CMD), "a non-specific EOI skips the masked IR3");
        out(M_CMD, 0x48); // reset special mask mode
        out(M_CMD, 0x60 | 3);
        assertEquals(0x00, isr(M_CMD));
    }

    @Test
    void pollCommandActsAsInta() {
        initLikeLinux(0x01);
        out(M_CMD, 0x0C);
        assertEquals(0x00, in(M_CMD), "poll with nothing pending");
        pic.irq(6).pulse();
        out(M_CMD, 0x0C);
        assertEquals(0x86, in(M_CMD));
        assertEquals(0x40, isr(M_CMD));
        assertFalse(pic.hasInterrupt());
    }

    @Test
    void elcrHasNoBitsForTheEdgeOnlyIrqs() {
        out(PicPair.ELCR_BASE, 0xFF);
        out(PicPair.ELCR_BASE + 1, 0xFF);
        assertEquals(0xF8, in(PicPair.ELCR_BASE));
        assertEquals(0xDE, in(PicPair.ELCR_BASE + 1));
    }

    @Test
    void icw1ClearsMaskAndEdgeState() {
        initLikeLinux(0x01);
        out(M_DATA, 0xFF);
        pic.irq(7).raise();
        out(M_CMD, 0x11);
        out(M_DATA, 0x20);
        out(M_DATA, 0x04);
        out(M_DATA, 0x01);
        assertEquals(0x00, in(M_DATA));
        assertFalse(pic.hasInterrupt(), "the input must rise again after ICW1");
        pic.irq(7).lower();
        pic.irq(7).raise();
        assertEquals(0x27, pic.acknowledge());
        assertEquals(0x80, isr(M_CMD), "a real IR7 does set ISR");
    }

    @Test
    void cascadeInputIsNotADeviceLine() {
        assertThrows(IllegalArgumentException.class, () -> pic.irq(2));
        assertThrows(IllegalArgumentException.class, () -> pic.irq(16));
    }

    @Test
    void stateRoundTrips() {
        initLikeLinux(0x01);
        out(M_DATA, 0x10);
        out(PicPair.ELCR_BASE + 1, 0x08);
        pic.irq(4).pulse();
        pic.irq(11).raise();
        assertEquals(0x2B, pic.acknowledge());
        PicState s = pic.state();
        int[] rises = new int[1];
        PicPair copy = PicPair.fromState(s, () -> rises[0]++);
        assertEquals(s, copy.state());
        assertFalse(copy.hasInterrupt(), "IR4 is masked, IR11 in service");
        copy.irq(11).lower();
        IoBus bus2 = new IoBus();
        copy.claim(bus2);
        bus2.writePort(M_DATA, 1, 0x00);
        assertFalse(copy.hasInterrupt(), "IR2 in service outranks IR4");
        bus2.writePort(S_CMD, 1, NON_SPECIFIC_EOI);
        bus2.writePort(M_CMD, 1, NON_SPECIFIC_EOI);
        assertTrue(copy.hasInterrupt());
        assertEquals(1, rises[0]);
        assertEquals(0x24, copy.acknowledge());
    }
}
