package dev.restvisor.core.cpu.mmu;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemorySlot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.restvisor.core.cpu.mmu.Mmu.FETCH;
import static dev.restvisor.core.cpu.mmu.Mmu.USER;
import static dev.restvisor.core.cpu.mmu.Mmu.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Paging walks against hand-built tables (SDM Vol. 3A chapter 4). */
class MmuTest {
    private final CpuState s = new CpuState();
    private GuestMemory mem;
    private MemorySlot ram;
    private Mmu mmu;
    private final FakeTableMemory unbackedTables = new FakeTableMemory();

    @BeforeEach
    void setUp() {
        mem = new GuestMemory(MemoryQuota.UNLIMITED);
        ram = mem.setRegion(0, 0, 0, 16 << 20);
        mmu = new Mmu(s, mem, unbackedTables);
    }

    private void w32(long pa, long v) {
        ram.write32(pa, (int) v);
    }

    private void w64(long pa, long v) {
        ram.write64(pa, v);
    }

    private long fault(int err) {
        return Mmu.FAULT | err;
    }

    private void paging32() {
        s.cr3 = 0x1000;
        s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_PG;
        mmu.flushAll();
    }

    @Test
    void pagingOffIsIdentity() {
        assertEquals(0x12345678L, mmu.translate(0x12345678L, WRITE));
        Translation t = mmu.debugTranslate(0x5000);
        assertTrue(t.valid());
        assertEquals(0x5000, t.physicalAddress());
    }

    @Test
    void twoLevelWalkSetsAccessedAndDirty() {
        w32(0x1000 + 4 * 1, 0x2000 | 7); // PDE for 0x00400000
        w32(0x2000 + 4 * 3, 0x9000 | 7); // PTE for 0x00403000
        paging32();
        assertEquals(0x9123, mmu.translate(0x403123, 0));
        assertEquals(0x20, ram.read32(0x1004) & 0x60);
        assertEquals(0x20, ram.read32(0x200c) & 0x60);
        assertEquals(0x9123, mmu.translate(0x403123, WRITE));
        assertEquals(0x60, ram.read32(0x200c) & 0x60);
        assertEquals(0x20, ram.read32(0x1004) & 0x60, "the dirty flag is only set in the leaf");
    }

    @Test
    void debugTranslateWritesNothing() {
        w32(0x1000, 0x2000 | 5); // PDE: present, user, read-only
        w32(0x2000, 0x9000 | 7);
        paging32();
        Translation t = mmu.debugTranslate(0x123);
        assertTrue(t.valid());
        assertEquals(0x9123, t.physicalAddress());
        assertFalse(t.writeable());
        assertTrue(t.usermode());
        assertEquals(0, ram.read32(0x1000) & 0x60);
        assertEquals(0, ram.read32(0x2000) & 0x60);
        assertFalse(mmu.debugTranslate(0x800000).valid());
    }

    @Test
    void pageFaultErrorCodesAndCr2() {
        w32(0x1000, 0x2000 | 3); // supervisor, writable
        w32(0x2000, 0x9000 | 5); // user, read-only
        paging32();
        assertEquals(fault(Mmu.PF_U), mmu.translate(0x7fff0000L, USER));
        assertEquals(0x7fff0000L, s.cr2);
        assertEquals(fault(Mmu.PF_P | Mmu.PF_U), mmu.translate(0x10, USER), "the PDE denies user access");
        assertEquals(0x9010, mmu.translate(0x10, WRITE), "CR0.WP=0: supervisor may write read-only pages");
        s.cr0 |= ControlRegisters.CR0_WP;
        mmu.flushAll();
        assertEquals(fault(Mmu.PF_P | Mmu.PF_W), mmu.translate(0x10, WRITE));
        assertEquals(fault(Mmu.PF_W | Mmu.PF_U), mmu.translate(0x400000, WRITE | USER));
    }

    @Test
    void fourMegabytePagesWithPse36() {
        w32(0x1000 + 4 * 2, 0x00c00000L | (0x3L << 13) | 0x83); // 4 MiB page at 0x3_00c00000
        w32(0x1000 + 4 * 3, 0x00400000L | (1 << 21) | 0x83);
        s.cr4 = ControlRegisters.CR4_PSE;
        paging32();
        assertEquals(0x3_00c12345L, mmu.translate(0x812345, 0));
        assertEquals(fault(Mmu.PF_P | Mmu.PF_RSVD), mmu.translate(0xc00000, 0));
    }

    private void pae() {
        s.cr3 = 0x1000;
        s.cr4 = ControlRegisters.CR4_PAE;
        s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_PG;
        mmu.flushAll();
    }

    @Test
    void paeWithNxAndLargePages() {
        w64(0x1000 + 8 * 1, 0x3000 | 1);                       // PDPTE 1 -> 0x40000000
        w64(0x3000, 0x4000 | 7);                                // PDE -> PT
        w64(0x4000 + 8 * 5, 0x8000 | 7 | (1L << 63));          // NX page at 0x40005000
        w64(0x3000 + 8, 0x600000 | 0x87);                       // 2 MiB page at 0x40200000
        s.efer = ControlRegisters.EFER_NXE;
        pae();
        assertEquals(0x8010, mmu.translate(0x40005010L, 0));
        assertEquals(fault(Mmu.PF_P | Mmu.PF_ID), mmu.translate(0x40005010L, FETCH));
        assertEquals(0x6abcdeL, mmu.translate(0x402abcdeL, FETCH));
        assertEquals(fault(Mmu.PF_ID), mmu.translate(0x0, FETCH), "PDPTE 0 not present");
        s.efer = 0;
        mmu.flushAll();
        assertEquals(fault(Mmu.PF_P | Mmu.PF_RSVD), mmu.translate(0x40005010L, 0), "XD is reserved without NXE");
    }

    @Test
    void paePdpteReservedBitsAreReportedToMovCr3() {
        w64(0x1000, 0x3000 | 1 | 2);
        s.cr3 = 0x1000;
        assertFalse(mmu.loadPdptes());
        w64(0x1000, 0x3000 | 1);
        assertTrue(mmu.loadPdptes());
        assertEquals(0x3001, mmu.pdpte(0));
    }

    private void longMode() {
        s.cr3 = 0x1000;
        s.cr4 = ControlRegisters.CR4_PAE | ControlRegisters.CR4_PGE;
        s.efer = ControlRegisters.EFER_LME | ControlRegisters.EFER_LMA | ControlRegisters.EFER_NXE;
        s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_PG | ControlRegisters.CR0_WP;
        mmu.flushAll();
    }

    @Test
    void fourLevelWalkWith1GAnd2MPages() {
        long lin = 0xffff_8000_0000_0000L | (1L << 30) * 3 + 0x1234;   // PML4 256, PDPT 3
        w64(0x1000 + 8 * 256, 0x2000 | 3);
        w64(0x2000 + 8 * 3, 0x4000_0000L | 0x83);                       // 1 GiB page
        w64(0x2000 + 8 * 4, 0x5000 | 3);
        w64(0x5000, 0x20_0000L | 0x83 | 0x100);                          // 2 MiB global page
        longMode();
        assertEquals(0x4000_1234L, mmu.translate(lin, WRITE));
        assertEquals(0x60, ram.read8(0x2000 + 8 * 3) & 0x60);
        assertEquals(0x20, ram.read8(0x1000 + 8 * 256) & 0x60);
        long lin2 = 0xffff_8001_0000_0000L + 0x5678;
        assertEquals(0x20_5678L, mmu.translate(lin2, 0));
        assertEquals(fault(Mmu.PF_P | Mmu.PF_W | Mmu.PF_U), mmu.translate(lin, WRITE | USER));
        w64(0x2000 + 8 * 3, 0x4000_0000L | 0x83 | (1 << 13));
        assertEquals(0x4000_1234L, mmu.translate(lin, 0), "the TLB still holds the old entry");
        mmu.invlpg(lin + 0x10_0000);
        assertEquals(fault(Mmu.PF_P | Mmu.PF_RSVD), mmu.translate(lin, 0), "INVLPG drops the whole 1 GiB page");
    }

    @Test
    void invlpgDropsEveryPieceOfA2MPageAlsoAfterMovCr3() {
        w64(0x1000 + 8 * 256, 0x2000 | 3);
        w64(0x2000 + 8 * 4, 0x5000 | 3);
        w64(0x5000 + 8 * 7, 0x20_0000L | 0x83 | 0x100);                 // 2 MiB global page
        longMode();
        long page = 0xffff_8001_0000_0000L + 7 * 0x20_0000L;
        assertEquals(0x20_0010L, mmu.translate(page + 0x10, 0));
        assertEquals(0x3f_f020L, mmu.translate(page + 0x1f_f020, 0));
        mmu.flushNonGlobal();
        w64(0x5000 + 8 * 7, 0x20_0000L | 0x83 | 0x100 | (1 << 13));
        assertEquals(0x3f_f020L, mmu.translate(page + 0x1f_f020, 0), "the global entry survives MOV CR3");
        mmu.invlpg(page + 0x40_0000);
        assertEquals(0x20_0010L, mmu.translate(page + 0x10, 0), "INVLPG of another 2 MiB page keeps it");
        mmu.invlpg(page + 0x12_3000);
        assertEquals(fault(Mmu.PF_P | Mmu.PF_RSVD), mmu.translate(page + 0x10, 0), "first piece dropped");
        assertEquals(fault(Mmu.PF_P | Mmu.PF_RSVD), mmu.translate(page + 0x1f_f020, 0), "last piece dropped");
    }

    @Test
    void movCr3KeepsGlobalEntries() {
        w64(0x1000, 0x2000 | 3);
        w64(0x2000, 0x3000 | 3);
        w64(0x3000, 0x4000 | 3);
        w64(0x4000 + 8, 0xa000 | 3 | 0x100); // global
        w64(0x4000 + 16, 0xb000 | 3);
        longMode();
        assertEquals(0xa000, mmu.translate(0x1000, 0));
        assertEquals(0xb000, mmu.translate(0x2000, 0));
        w64(0x4000 + 8, 0);
        w64(0x4000 + 16, 0);
        mmu.flushNonGlobal();
        assertEquals(0xa000, mmu.translate(0x1000, 0));
        assertEquals(fault(0), mmu.translate(0x2000, 0));
        mmu.flushAll();
        assertEquals(fault(0), mmu.translate(0x1000, 0));
    }

    @Test
    void writeThroughCleanEntryWalksAgainToSetDirty() {
        w64(0x1000, 0x2000 | 3);
        w64(0x2000, 0x3000 | 3);
        w64(0x3000, 0x4000 | 3);
        w64(0x4000, 0xa000 | 3);
        longMode();
        mmu.translate(0x10, 0);
        assertEquals(0x20, ram.read8(0x4000) & 0x60);
        mmu.translate(0x10, WRITE);
        assertEquals(0x60, ram.read8(0x4000) & 0x60);
    }

    @Test
    void tablesOutsideRamAreReadAndUpdatedThroughTableMemory() {
        long pd = 0x4000_0000L; // no slot: the page directory lives in "MMIO"
        unbackedTables.entries.put(pd + 4 * 1, 0x2000L | 7);   // PDE for 0x00400000
        w32(0x2000 + 4 * 3, 0x9000 | 7);                        // PTE for 0x00403000, in RAM
        s.cr3 = pd;
        s.cr0 = ControlRegisters.CR0_PE | ControlRegisters.CR0_PG;
        mmu.flushAll();
        assertFalse(mmu.debugTranslate(0x403123).valid(), "KVM_TRANSLATE cannot ask the client: not present");
        assertEquals(0x9123, mmu.translate(0x403123, WRITE));
        assertEquals(java.util.List.of("read4 40000004", "write4 40000004 2027"), unbackedTables.log);
        assertEquals(0x60, ram.read8(0x2000 + 4 * 3) & 0x60, "the leaf in RAM gets accessed and dirty");
        mmu.invlpg(0x403000);
        assertEquals(0x9123, mmu.translate(0x403123, 0));
        assertEquals("read4 40000004", unbackedTables.log.getLast(), "accessed already set: no second write");
    }

    /** Paging-structure entries outside RAM, as the vcpu's MMIO path would answer them. */
    private static final class FakeTableMemory implements TableMemory {
        final java.util.Map<Long, Long> entries = new java.util.HashMap<>();
        final java.util.List<String> log = new java.util.ArrayList<>();

        @Override
        public long readEntry(long pa, int width) {
            log.add("read" + width + " " + Long.toHexString(pa));
            return entries.getOrDefault(pa, 0L);
        }

        @Override
        public void writeEntry(long pa, int width, long entry) {
            log.add("write" + width + " " + Long.toHexString(pa) + " " + Long.toHexString(entry));
            entries.put(pa, entry);
        }
    }
}
