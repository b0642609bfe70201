package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.cpu.state.SegmentRegister;
import org.junit.jupiter.api.Test;

import static dev.restvisor.core.cpu.exec.Segmentation.FETCH;
import static dev.restvisor.core.cpu.exec.Segmentation.READ;
import static dev.restvisor.core.cpu.exec.Segmentation.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Limit and type checks of SDM Vol. 3A 5.3-5.4 and the 64-bit canonical rule. */
class SegmentationTest {
    private final CpuState s = new CpuState();

    private static int vector(Runnable r) {
        return assertThrows(GuestFault.class, r::run).vector;
    }

    private void protectedMode() {
        s.cr0 |= ControlRegisters.CR0_PE;
    }

    @Test
    void expandUpLimitsAndTypes() {
        protectedMode();
        s.seg[SegmentRegister.DS] = new Segment(0x10, 0x1000, 0xfff, 3, 1, 0, 1, 1, 0, 0, 0, 0);
        assertEquals(0x1ffc, Segmentation.linear(s, SegmentRegister.DS, 0xffc, 4, READ));
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.DS, 0xffd, 4, READ)));
        s.seg[SegmentRegister.SS] = new Segment(0x18, 0, 0xfff, 3, 1, 0, 1, 1, 0, 0, 0, 0);
        assertEquals(GuestFault.SS, vector(() -> Segmentation.linear(s, SegmentRegister.SS, 0x1000, 1, WRITE)));
        // read-only data: writes fault; execute-only code: reads fault, fetches do not
        s.seg[SegmentRegister.ES] = new Segment(0x20, 0, 0xffff, 1, 1, 0, 1, 1, 0, 0, 0, 0);
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.ES, 0, 1, WRITE)));
        s.seg[SegmentRegister.CS] = new Segment(0x08, 0, 0xffff, 9, 1, 0, 1, 1, 0, 0, 0, 0);
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.CS, 0, 1, READ)));
        assertEquals(0x10, Segmentation.linear(s, SegmentRegister.CS, 0x10, 1, FETCH));
        s.seg[SegmentRegister.FS] = new Segment(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.FS, 0, 1, READ)));
    }

    @Test
    void expandDown() {
        protectedMode();
        // expand-down, B = 0: valid offsets limit+1 .. 0xffff
        s.seg[SegmentRegister.DS] = new Segment(0x10, 0x10000, 0xfff, 7, 1, 0, 0, 1, 0, 0, 0, 0);
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.DS, 0xfff, 1, READ)));
        assertEquals(0x11000, Segmentation.linear(s, SegmentRegister.DS, 0x1000, 1, WRITE));
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.DS, 0xfffe, 4, READ)));
    }

    @Test
    void realModeUsesTheCachedLimitWithoutTypeChecks() {
        s.seg[SegmentRegister.DS] = Segment.real(0x1234, 3);
        assertEquals(0x12340 + 0xfffe, Segmentation.linear(s, SegmentRegister.DS, 0xfffe, 2, WRITE));
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.DS, 0xffff, 2, READ)));
    }

    @Test
    void longModeChecksCanonicalAddressesAndUsesOnlyFsGsBases() {
        protectedMode();
        s.efer |= ControlRegisters.EFER_LMA | ControlRegisters.EFER_LME;
        s.seg[SegmentRegister.CS] = new Segment(0x08, 0, 0xffffffff, 11, 1, 0, 0, 1, 1, 1, 0, 0);
        s.seg[SegmentRegister.DS] = new Segment(0x10, 0x5000, 0, 3, 1, 0, 1, 1, 0, 0, 0, 0);
        s.seg[SegmentRegister.GS] = s.seg[SegmentRegister.GS].withBase(0xffff800000000000L);
        assertEquals(0x1234, Segmentation.linear(s, SegmentRegister.DS, 0x1234, 8, READ));
        assertEquals(0xffff800000000010L, Segmentation.linear(s, SegmentRegister.GS, 0x10, 8, READ));
        assertEquals(GuestFault.GP, vector(() -> Segmentation.linear(s, SegmentRegister.DS, 0x00007ffffffffffcL, 8, READ)));
        assertEquals(GuestFault.SS, vector(() -> Segmentation.linear(s, SegmentRegister.SS, 0x0000800000000000L, 8, READ)));
    }
}
