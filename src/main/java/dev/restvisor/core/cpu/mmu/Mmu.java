package dev.restvisor.core.cpu.mmu;

import dev.restvisor.core.cpu.state.ControlRegisters;
import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;

/**
 * Linear-to-physical translation (SDM Vol. 3A chapter 4): 32-bit paging with 4 MiB pages (PSE-36),
 * PAE paging, and 4-level paging with 2 MiB and 1 GiB pages; NX, WP, U/S and global pages; accessed and
 * dirty flags written as the processor writes them; page-fault error codes and CR2.
 *
 * <p>Successful translations are cached in a direct-mapped software TLB keyed by linear page. An entry
 * holds the physical frame and the set of access kinds (read/write/fetch x supervisor/user) the walk
 * allowed, so a hit is one tag compare and one bit test. A write through an entry whose dirty flag was
 * still clear is not allowed by the entry: it walks again and sets the flag (SDM 4.8). The cache is
 * flushed where SDM 4.10.4 says the TLBs are: MOV to CR3 (global entries survive), INVLPG, and changes
 * of CR0.PG, CR4.PGE/PAE/PSE, which also covers a task switch that loads CR3. Changes of CR0.WP and EFER.NXE
 * flush too, since an entry caches a permission decision that depends on them.
 *
 * <p>The same TLB serves the interpreter's fast memory path: an entry also holds the {@link MemorySlot}
 * backing its frame and the frame's offset in it ({@link #ramEntry}), so a hit is an access to the slot's
 * storage with no slot search. With paging off an entry maps a page onto itself (filled on first use, dropped
 * with the rest when CR0.PG changes). The entries hold slot objects, so a changed slot layout must flush them
 * ({@link #flushAll}, which the run loop calls when the layout changed). The A20 mask is applied here too, and
 * a change of the A20 gate flushes. {@link #generation()} changes with every flush or INVLPG, so a caller may
 * keep a translation of its own (the decoder's current code page) as long as the generation is unchanged.
 *
 * <p>Faults are returned, not thrown, because this package may not depend on the executors: a negative
 * result is {@link #FAULT} | the #PF error code, with CR2 already written.
 *
 * <p>A paging structure in physical memory no slot backs is read and updated through the vcpu's
 * {@link TableMemory}: an MMIO device, or an MMIO exit to the VM client, which may stop the instruction for
 * its answer (the exit leaves the walk by an exception of the caller's own). A walk keeps no state between
 * its reads, so it can stop at any of them and run again. Walks that may not exit read such an entry as
 * not present: KVM_TRANSLATE and the PDPTE loads of PAE paging (MOV to CR3, and state writes through the API).
 */
public final class Mmu {
    /** Access kinds for {@link #translate}: combine with OR; 0 is a supervisor data read. */
    public static final int WRITE = 1, USER = 2, FETCH = 4;
    /** #PF error code bits (SDM 4.7). */
    public static final int PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_ID = 16;
    /** Marks a faulting result of {@link #translate}; the error code is in the low bits. */
    public static final long FAULT = Long.MIN_VALUE;

    /** MAXPHYADDR, as {@link GuestMemory#MAX_PHYS} and CPUID 80000008H report it. */
    public static final int MAXPHYADDR = 52;
    private static final long ADDR_MASK = ((1L << MAXPHYADDR) - 1) & ~0xfffL;
    private static final long P = 1, RW = 1 << 1, US = 1 << 2, A = 1 << 5, D = 1 << 6, PS = 1 << 7, G = 1 << 8;
    private static final long XD = 1L << 63;

    private static final int TLB_BITS = 11;
    private static final int TLB_SIZE = 1 << TLB_BITS;
    private final long[] tlbTag = new long[TLB_SIZE];
    private final long[] tlbFrame = new long[TLB_SIZE];
    /** Bit n set: access kind n (WRITE|USER|FETCH combination) may use the entry. */
    private final int[] tlbAllowed = new int[TLB_SIZE];
    private final boolean[] tlbGlobal = new boolean[TLB_SIZE];
    /** log2 of the size of the page the entry is a 4 KiB piece of. */
    private final byte[] tlbShift = new byte[TLB_SIZE];
    /**
     * The RAM slot backing the entry's frame, or null (MMIO, unbacked); tlbWriteSlot is also null for a read-only
     * slot.
     */
    private final MemorySlot[] tlbSlot = new MemorySlot[TLB_SIZE];
    private final MemorySlot[] tlbWriteSlot = new MemorySlot[TLB_SIZE];
    /** The entry's frame as an offset in its slot. */
    private final long[] tlbSlotOffset = new long[TLB_SIZE];
    /** Physical address mask: bit 20 cleared while the A20 gate is off. */
    private long a20Mask = -1L;
    private int generation;

    /** The four PDPTE registers of PAE paging, loaded from the table CR3 points to (SDM 4.4.1). */
    private final long[] pdpte = new long[4];

    private final CpuState state;
    private final GuestMemory memory;
    private final TableMemory unbacked;

    /** Set by the last walk: the effective R/W and U/S of all levels, and the leaf's global flag. */
    private boolean walkWritable;
    private boolean walkUser;
    private boolean walkNx;
    private boolean walkGlobal;
    /** The leaf's dirty flag was set when the walk read it (or the walk set it). */
    private boolean leafDirty;
    /** log2 of the size of the page the last walk ended in (12, 21, 22 or 30). */
    private int walkPageShift;
    /**
     * Bit {@code s} set: some cached entry may belong to a page of 2^s bytes (s = 21, 22 or 30), whose 4 KiB
     * pieces INVLPG must all drop.
     */
    private long largeShifts;
    /**
     * A filter over the large pages with cached pieces: the bit {@link #largeBit} of each is set (bits are only
     * cleared by flushes), so INVLPG of an address in no cached large page, the usual case, scans nothing, and
     * otherwise only the TLB indices the pieces of that one page can occupy.
     */
    private final long[] largeFilter = new long[64];
    /** Physical addresses of the entries the current walk used, so their accessed flags can be set. */
    private final long[] used = new long[4];

    /** The values of those entries as the walk read them. */
    private final long[] usedValue = new long[4];

    /** @param unbacked reads and writes the paging-structure entries no memory slot backs */
    public Mmu(CpuState state, GuestMemory memory, TableMemory unbacked) {
        this.state = state;
        this.memory = memory;
        this.unbacked = unbacked;
        flushAll();
    }

    /**
     * Translates a linear address for an access, walking and caching on a TLB miss.
     *
     * @param access {@link #WRITE}, {@link #USER} and {@link #FETCH} combined
     * @return the physical address, or {@link #FAULT} | error code (CR2 is set)
     */
    public long translate(long linear, int access) {
        if ((state.efer & ControlRegisters.EFER_LMA) == 0) {
            linear &= 0xffffffffL;
        }
        long page = linear >>> 12;
        int i = (int) page & (TLB_SIZE - 1);
        if (tlbTag[i] == page && (tlbAllowed[i] & (1 << access)) != 0) {
            return tlbFrame[i] | (linear & 0xfff);
        }
        return miss(linear, access);
    }

    /**
     * The physical frame the TLB holds for {@code linear} and this access kind, or -1 when it holds none: a lookup
     * that never walks, so it can neither fault nor set an accessed flag.
     */
    public long cachedFrame(long linear, int access) {
        if ((state.efer & ControlRegisters.EFER_LMA) == 0) {
            linear &= 0xffffffffL;
        }
        long page = linear >>> 12;
        int i = (int) page & (TLB_SIZE - 1);
        return tlbTag[i] == page && (tlbAllowed[i] & (1 << access)) != 0 ? tlbFrame[i] : -1;
    }

    /**
     * The fast path: the TLB entry that maps {@code linear} to RAM for this access kind, or -1 (a miss, MMIO,
     * or a write to a read-only slot), in which case the caller takes {@link #translate}. The access is
     * {@link #slot}{@code (i)} at {@link #slotOffset}{@code (i) + (linear & 0xfff)}.
     */
    public int ramEntry(long linear, int access) {
        long page = linear >>> 12;
        int i = (int) page & (TLB_SIZE - 1);
        if (tlbTag[i] == page && (tlbAllowed[i] & (1 << access)) != 0
                && ((access & WRITE) == 0 ? tlbSlot[i] : tlbWriteSlot[i]) != null) {
            return i;
        }
        return -1;
    }

    public MemorySlot slot(int entry) {
        return tlbSlot[entry];
    }

    public long slotOffset(int entry) {
        return tlbSlotOffset[entry];
    }

    private long miss(long linear, int access) {
        long frame;
        int allowed;
        if ((state.cr0 & ControlRegisters.CR0_PG) == 0) {
            frame = linear & ~0xfffL;
            allowed = 0xff;
            walkGlobal = false;
            walkPageShift = 12;
        } else {
            frame = walk(linear, access, true);
            if (frame < 0) {
                state.cr2 = linear;
                return frame;
            }
            allowed = allowedKinds(access);
        }
        frame &= a20Mask;
        if (allowed != 0) {
            long page = linear >>> 12;
            int i = (int) page & (TLB_SIZE - 1);
            tlbTag[i] = page;
            tlbFrame[i] = frame;
            tlbAllowed[i] = allowed;
            tlbGlobal[i] = walkGlobal;
            tlbShift[i] = (byte) walkPageShift;
            if (walkPageShift > 12) {
                noteLarge(page, walkPageShift);
            }
            // slots are page-aligned: a frame lies wholly inside one slot or outside all of them
            MemorySlot s = memory.slotAt(frame);
            tlbSlot[i] = s;
            tlbWriteSlot[i] = s != null && !s.readOnly() ? s : null;
            tlbSlotOffset[i] = s != null ? frame - s.base() : 0;
        }
        return frame | (linear & 0xfff);
    }

    /** Records that the TLB holds a piece of the 2^shift-byte page containing 4 KiB page {@code page}. */
    private void noteLarge(long page, int shift) {
        largeShifts |= 1L << shift;
        int b = largeBit(page >>> (shift - 12), shift);
        largeFilter[b >>> 6] |= 1L << b;
    }

    /** The {@link #largeFilter} bit of large page number {@code region} (linear address >>> shift). */
    private static int largeBit(long region, int shift) {
        return (int) ((region + shift * 0x9e3779b97f4a7c15L) * 0x9e3779b97f4a7c15L >>> 52);
    }

    /** Every access kind the just-finished walk permits without another walk. */
    private int allowedKinds(int access) {
        boolean dirty = (access & WRITE) != 0 || leafDirty;
        int allowed = 0;
        for (int k = 0; k < 8; k++) {
            if (permitted(k) && ((k & WRITE) == 0 || dirty)) {
                allowed |= 1 << k;
            }
        }
        return allowed;
    }

    /** SDM 4.6: may access kind {@code k} use a translation with the last walk's rights. */
    private boolean permitted(int k) {
        boolean user = (k & USER) != 0;
        if (user && !walkUser) {
            return false;
        }
        if ((k & FETCH) != 0) {
            return !walkNx;
        }
        if ((k & WRITE) != 0) {
            return walkWritable || (!user && (state.cr0 & ControlRegisters.CR0_WP) == 0);
        }
        return true;
    }

    /**
     * KVM_TRANSLATE: the walk for a supervisor read, with no accessed or dirty flag written and no CR2 change.
     * The reported rights are those of the paging structures (R/W and U/S of every level ANDed).
     */
    public Translation debugTranslate(long linear) {
        if ((state.cr0 & ControlRegisters.CR0_PG) == 0) {
            return new Translation(linear, linear, true, true, true);
        }
        long lin = (state.efer & ControlRegisters.EFER_LMA) == 0 ? linear & 0xffffffffL : linear;
        long frame = walk(lin, 0, false);
        if (frame < 0) {
            return new Translation(linear, 0, false, false, false);
        }
        return new Translation(linear, frame | (lin & 0xfff), true, walkWritable, walkUser);
    }

    /**
     * Walks the paging structures. With {@code update}, sets accessed flags on every level and the dirty
     * flag of the leaf for a write, once the access is known to be permitted.
     *
     * @return the 4 KiB frame of the linear address, or {@link #FAULT} | error code
     */
    private long walk(long linear, int access, boolean update) {
        long cr4 = state.cr4;
        boolean nxe = (state.efer & ControlRegisters.EFER_NXE) != 0;
        walkWritable = true;
        walkUser = true;
        walkNx = false;
        walkGlobal = false;
        int idBit = (access & FETCH) != 0 && (cr4 & ControlRegisters.CR4_PAE) != 0 && nxe ? PF_ID : 0;
        int errBase = (access & WRITE) != 0 ? PF_W : 0;
        errBase |= (access & USER) != 0 ? PF_U : 0;
        errBase |= idBit;
        long xdReserved = nxe ? 0 : XD;

        // up to four levels: addresses of the entries used, so accessed flags can be set at the end
        long[] used = this.used;
        int levels = 0;
        long frame;
        long leaf;
        if ((cr4 & ControlRegisters.CR4_PAE) == 0) {
            long pdeAddr = (state.cr3 & 0xfffff000L) | ((linear >>> 20) & 0xffc);
            long pde = readEntry(pdeAddr, 4, update);
            if ((pde & P) == 0) {
                return FAULT | errBase;
            }
            usedValue[levels] = pde;
            used[levels++] = pdeAddr;
            rights(pde, false);
            if ((pde & PS) != 0 && (cr4 & ControlRegisters.CR4_PSE) != 0) {
                if ((pde & (1 << 21)) != 0) {
                    return FAULT | errBase | PF_P | PF_RSVD;
                }
                frame = ((pde & 0x1fe000L) << 19) | (pde & 0xffc00000L) | (linear & 0x3ff000L);
                leaf = pde;
                walkPageShift = 22;
            } else {
                long pteAddr = (pde & 0xfffff000L) | ((linear >>> 10) & 0xffc);
                long pte = readEntry(pteAddr, 4, update);
                if ((pte & P) == 0) {
                    return FAULT | errBase;
                }
                usedValue[levels] = pte;
                used[levels++] = pteAddr;
                rights(pte, false);
                frame = pte & 0xfffff000L;
                leaf = pte;
                walkPageShift = 12;
            }
        } else {
            long table;
            int level;
            long paeOnly = 0;
            if ((state.efer & ControlRegisters.EFER_LMA) != 0) {
                table = state.cr3 & ADDR_MASK;
                level = 4;
            } else {
                long e = pdpte[(int) (linear >>> 30) & 3];
                if ((e & P) == 0) {
                    return FAULT | errBase;
                }
                table = e & ADDR_MASK;
                level = 2;
                paeOnly = 0x7ff0000000000000L; // bits 62:MAXPHYADDR are reserved in PAE paging, ignored in 4-level
            }
            while (true) {
                int shift = 12 + 9 * (level - 1);
                long addr = table | (((linear >>> shift) & 0x1ff) << 3);
                long e = readEntry(addr, 8, update);
                if ((e & P) == 0) {
                    return FAULT | errBase;
                }
                if ((e & (reservedBits(level, e, xdReserved) | paeOnly)) != 0) {
                    return FAULT | errBase | PF_P | PF_RSVD;
                }
                usedValue[levels] = e;
                used[levels++] = addr;
                rights(e, nxe);
                if (level == 1 || (level <= 3 && (e & PS) != 0)) {
                    long pageMask = (1L << shift) - 1;
                    frame = (e & ADDR_MASK & ~pageMask) | (linear & pageMask & ~0xfffL);
                    leaf = e;
                    walkPageShift = shift;
                    break;
                }
                table = e & ADDR_MASK;
                level--;
            }
        }
        walkGlobal = (leaf & G) != 0 && (cr4 & ControlRegisters.CR4_PGE) != 0;
        leafDirty = (leaf & D) != 0;
        if (!update) {
            return frame;
        }
        if (!permitted(access)) {
            return FAULT | errBase | PF_P;
        }
        int width = (cr4 & ControlRegisters.CR4_PAE) == 0 ? 4 : 8;
        for (int l = 0; l < levels; l++) {
            setFlag(used[l], usedValue[l], width, l == levels - 1 && (access & WRITE) != 0 ? A | D : A);
        }
        if ((access & WRITE) != 0) {
            leafDirty = true;
        }
        return frame;
    }

    /** Reserved bits of a present PAE / 4-level entry at {@code level} (SDM Tables 4-11, 4-14 to 4-19). */
    private static long reservedBits(int level, long e, long xdReserved) {
        long r = xdReserved;
        if (level == 4) {
            r |= PS;
        } else if ((e & PS) != 0 && level == 3) {
            r |= 0x3fffe000L; // bits 29:13 of a 1 GiB page
        } else if ((e & PS) != 0 && level == 2) {
            r |= 0x1fe000L; // bits 20:13 of a 2 MiB page
        }
        return r;
    }

    private void rights(long e, boolean nxe) {
        walkWritable &= (e & RW) != 0;
        walkUser &= (e & US) != 0;
        walkNx |= nxe && (e & XD) != 0;
    }

    /** @param mayExit an entry outside RAM is read through {@link TableMemory}, else it reads as not present */
    private long readEntry(long pa, int width, boolean mayExit) {
        MemorySlot s = memory.slotAt(pa);
        if (s == null) {
            return mayExit ? unbacked.readEntry(pa, width) : 0;
        }
        return width == 4 ? s.read32(pa - s.base()) & 0xffffffffL : s.read64(pa - s.base());
    }

    /**
     * Sets accessed/dirty flags; writes only when they change. In RAM they all live in the entry's first byte,
     * which is rewritten from memory as the processor's locked update would. Outside RAM the whole entry as the
     * walk read it is written back with the flags set.
     */
    private void setFlag(long pa, long entry, int width, long bits) {
        MemorySlot s = memory.slotAt(pa);
        if (s == null) {
            if ((entry & bits) != bits) {
                unbacked.writeEntry(pa, width, entry | bits);
            }
            return;
        }
        if (s.readOnly()) {
            return;
        }
        int b = s.read8(pa - s.base());
        if ((b & bits) != bits) {
            s.write8(pa - s.base(), (int) (b | bits));
        }
    }

    /**
     * Loads the PAE PDPTE registers from CR3 (MOV to CR3, or enabling PAE paging).
     *
     * @return false when a present PDPTE has a reserved bit set: the MOV must raise #GP(0) (SDM 4.4.1)
     */
    public boolean loadPdptes() {
        long base = state.cr3 & 0xffffffe0L;
        long[] loaded = new long[4];
        for (int i = 0; i < 4; i++) {
            long e = readEntry(base + 8L * i, 8, false);
            if ((e & P) != 0 && (e & 0xfff00000000001e6L) != 0) {
                return false;
            }
            loaded[i] = e;
        }
        System.arraycopy(loaded, 0, pdpte, 0, 4);
        return true;
    }

    /** A PAE PDPTE register, for the state API and tests. */
    public long pdpte(int i) {
        return pdpte[i];
    }

    /**
     * Drops every cached translation and reloads PDPTEs if PAE paging is on: a paging-mode change, external
     * state writes, a changed slot layout.
     */
    public void flushAll() {
        flushTranslations();
        if ((state.cr0 & ControlRegisters.CR0_PG) != 0 && (state.cr4 & ControlRegisters.CR4_PAE) != 0
                && (state.efer & ControlRegisters.EFER_LMA) == 0) {
            loadPdptes();
        }
    }

    /** Drops every cached translation, nothing else: also for a changed slot layout, since entries hold slots. */
    public void flushTranslations() {
        java.util.Arrays.fill(tlbTag, -1L);
        clearLarge();
        generation++;
    }

    /** MOV to CR3 and task switches: drops every non-global translation (SDM 4.10.4.1). */
    public void flushNonGlobal() {
        generation++;
        clearLarge();
        for (int i = 0; i < TLB_SIZE; i++) {
            if (!tlbGlobal[i]) {
                tlbTag[i] = -1L;
            } else if (tlbTag[i] != -1L && tlbShift[i] > 12) {
                // the large-page filter is rebuilt from the surviving (global) entries
                noteLarge(tlbTag[i], tlbShift[i]);
            }
        }
    }

    private void clearLarge() {
        largeShifts = 0;
        java.util.Arrays.fill(largeFilter, 0);
    }

    /** INVLPG: drops the translation of one linear page, global or not. */
    public void invlpg(long linear) {
        if ((state.efer & ControlRegisters.EFER_LMA) == 0) {
            linear &= 0xffffffffL;
        }
        generation++;
        long page = linear >>> 12;
        int i = (int) page & (TLB_SIZE - 1);
        if (tlbTag[i] == page) {
            tlbTag[i] = -1L;
        }
        // the page may be a 4 KiB piece of a large page whose other pieces are cached too
        for (long shifts = largeShifts; shifts != 0; shifts &= shifts - 1) {
            int shift = Long.numberOfTrailingZeros(shifts);
            int pieces = shift - 12;
            long region = page >>> pieces;
            int b = largeBit(region, shift);
            if ((largeFilter[b >>> 6] & 1L << b) == 0) {
                continue;
            }
            // the pieces of that page sit at consecutive indices from its first page's, wrapping around
            int n = Math.min(1 << pieces, TLB_SIZE);
            int first = (int) (region << pieces) & (TLB_SIZE - 1);
            for (int j = 0; j < n; j++) {
                int k = (first + j) & (TLB_SIZE - 1);
                if (tlbShift[k] == shift && tlbTag[k] != -1L && tlbTag[k] >>> pieces == region) {
                    tlbTag[k] = -1L;
                }
            }
        }
    }

    /** The A20 gate (port 92h / keyboard controller): off makes physical address bit 20 read as 0. */
    public void setA20(boolean enabled) {
        long mask = enabled ? -1L : ~(1L << 20);
        if (mask != a20Mask) {
            a20Mask = mask;
            flushTranslations();
        }
    }

    /** Changes whenever cached translations may have become invalid (any flush, INVLPG, A20). */
    public int generation() {
        return generation;
    }
}
