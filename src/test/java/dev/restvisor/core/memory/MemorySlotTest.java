package dev.restvisor.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of guest writes (dirty log, change log, cached code), which a write to a page already marked in
 * every log skips: each clear, code mark and re-flagging must make the next write see it again.
 */
class MemorySlotTest {

    private final GuestMemory memory = new GuestMemory(MemoryQuota.UNLIMITED);

    @Test
    void everyLogSeesTheFirstWriteAfterItsClear() {
        MemorySlot slot = memory.setRegion(0, MemorySlot.LOG_DIRTY_PAGES, 0, 8 * MemorySlot.PAGE_SIZE);
        slot.write64(0x1008, 1);
        slot.write64(0x1010, 2);
        assertArrayEquals(new byte[] {0b10}, slot.dirtyBitmap().readAndClear());
        assertArrayEquals(new byte[] {0b10}, slot.changeLog().readAndClear());
        slot.write32(0x1020, 3);
        assertArrayEquals(new byte[] {0b10}, slot.dirtyBitmap().readAndClear(), "written again after the clear");
        slot.write8(0x7fff, 4);
        slot.write16(0x1030, 5);
        assertArrayEquals(new byte[] {(byte) 0b10000010}, slot.changeLog().readAndClear(),
                "the change log kept both writes since its own clear");
        assertArrayEquals(new byte[] {(byte) 0b10000010}, slot.dirtyBitmap().readAndClear());
        assertArrayEquals(new byte[] {0}, slot.dirtyBitmap().readAndClear());
    }

    @Test
    void aWriteToCachedCodeIsReportedOncePerMark() {
        MemorySlot slot = memory.setRegion(0, 0, 0x10000, 4 * MemorySlot.PAGE_SIZE);
        List<Long> written = new ArrayList<>();
        slot.setCodeWriteListener(written::add);
        slot.write64(0x2000, 1);
        slot.markCode(0x2000);
        slot.write64(0x2008, 2);
        slot.write64(0x2010, 3);
        assertEquals(List.of(0x12L), written, "the first write after the mark, once");
        slot.markCode(0x2abc);
        slot.markCode(0x2000);
        slot.write8(0x2fff, 4);
        assertEquals(List.of(0x12L, 0x12L), written);
        slot.write8(0x3000, 5);
        assertEquals(2, written.size(), "a page without code is not reported");
    }

    @Test
    void loggingTurnedOnLaterSeesPagesWrittenBefore() {
        MemorySlot slot = memory.setRegion(0, 0, 0, 4 * MemorySlot.PAGE_SIZE);
        slot.write64(0, 1);
        slot.write64(0x3000, 1);
        MemorySlot logged = memory.setRegion(0, MemorySlot.LOG_DIRTY_PAGES, 0, 4 * MemorySlot.PAGE_SIZE);
        logged.write64(0x3008, 2);
        assertArrayEquals(new byte[] {0b1000}, logged.dirtyBitmap().readAndClear());
        assertArrayEquals(new byte[] {0b1001}, logged.changeLog().readAndClear(), "the change log stays with the storage");
    }
}
