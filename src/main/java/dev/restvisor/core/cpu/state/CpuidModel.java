package dev.restvisor.core.cpu.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The answers CPUID gives, shaped like kvm_cpuid_entry2 (KVM_SET_CPUID2). Immutable; a vcpu holds one and
 * the API may replace it. {@link #defaults()} claims exactly the features the core implements (SDM Vol. 2A
 * "CPUID", Tables 3-8 to 3-20): a feature bit is added here in the same change that implements it.
 */
public record CpuidModel(List<Entry> entries) {

    /**
     * One leaf (or sub-leaf) of the model.
     *
     * @param indexed the leaf has sub-leaves chosen by ECX (KVM_CPUID_FLAG_SIGNIFCANT_INDEX)
     */
    public record Entry(int function, int index, boolean indexed, int eax, int ebx, int ecx, int edx) {
    }

    public CpuidModel {
        entries = List.copyOf(entries);
    }

    // CPUID.01H:EDX (Table 3-11)
    public static final int EDX1_FPU = 1, EDX1_PSE = 1 << 3, EDX1_TSC = 1 << 4, EDX1_MSR = 1 << 5, EDX1_PAE = 1 << 6,
            EDX1_CX8 = 1 << 8, EDX1_SEP = 1 << 11, EDX1_MTRR = 1 << 12, EDX1_PGE = 1 << 13, EDX1_CMOV = 1 << 15,
            EDX1_PAT = 1 << 16, EDX1_PSE36 = 1 << 17, EDX1_CLFSH = 1 << 19, EDX1_FXSR = 1 << 24,
            EDX1_SSE = 1 << 25, EDX1_SSE2 = 1 << 26;
    // CPUID.01H:ECX (Table 3-10)
    public static final int ECX1_CX16 = 1 << 13, ECX1_MOVBE = 1 << 22, ECX1_POPCNT = 1 << 23;
    // CPUID.80000001H
    public static final int EDX81_SYSCALL = 1 << 11, EDX81_NX = 1 << 20, EDX81_PAGE1GB = 1 << 26,
            EDX81_RDTSCP = 1 << 27, EDX81_LM = 1 << 29;
    public static final int ECX81_LAHF = 1, ECX81_LZCNT = 1 << 5;

    /**
     * The built-in model: a GenuineIntel family-6 processor whose feature flags are those implemented by
     * the paging unit, the system executors, the integer executors, the x87 FPU and SSE/SSE2.
     */
    public static CpuidModel defaults() {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry(0, 0, false, 7, ascii("Genu"), ascii("ntel"), ascii("ineI")));
        int edx1 = EDX1_FPU | EDX1_PSE | EDX1_TSC | EDX1_MSR | EDX1_PAE | EDX1_CX8 | EDX1_SEP | EDX1_MTRR | EDX1_PGE
                | EDX1_CMOV | EDX1_PAT | EDX1_PSE36 | EDX1_CLFSH | EDX1_FXSR | EDX1_SSE | EDX1_SSE2;
        int ecx1 = ECX1_CX16 | ECX1_MOVBE | ECX1_POPCNT;
        // EAX: family 6, model 0, stepping 0 (the DX value after reset); EBX: CLFLUSH line 8 qwords, 1 logical CPU
        e.add(new Entry(1, 0, false, 0x600, (1 << 16) | (8 << 8), ecx1, edx1));
        for (int leaf = 2; leaf <= 6; leaf++) {
            e.add(new Entry(leaf, 0, false, 0, 0, 0, 0));
        }
        e.add(new Entry(7, 0, true, 0, 0, 0, 0));
        e.add(new Entry(0x80000000, 0, false, 0x80000008, 0, 0, 0));
        e.add(new Entry(0x80000001, 0, false, 0, 0, ECX81_LAHF | ECX81_LZCNT,
                EDX81_SYSCALL | EDX81_NX | EDX81_PAGE1GB | EDX81_RDTSCP | EDX81_LM));
        byte[] brand = java.util.Arrays.copyOf("Restvisor x86-64 interpreter".getBytes(StandardCharsets.US_ASCII), 48);
        for (int i = 0; i < 3; i++) {
            e.add(new Entry(0x80000002 + i, 0, false, le(brand, 16 * i), le(brand, 16 * i + 4), le(brand, 16 * i + 8),
                    le(brand, 16 * i + 12)));
        }
        e.add(new Entry(0x80000005, 0, false, 0, 0, 0, 0));
        e.add(new Entry(0x80000006, 0, false, 0, 0, 0, 0));
        e.add(new Entry(0x80000007, 0, false, 0, 0, 0, 0));
        // physical address bits 52 (as GuestMemory.MAX_PHYS), linear address bits 48
        e.add(new Entry(0x80000008, 0, false, (48 << 8) | 52, 0, 0, 0));
        return new CpuidModel(e);
    }

    /**
     * The answer for EAX = {@code function}, ECX = {@code index}. A leaf above the highest basic or extended
     * leaf answers as the highest basic leaf, as Intel processors do; a missing sub-leaf answers zeros.
     */
    public Entry lookup(int function, int index) {
        Entry max = find(function < 0 ? 0x80000000 : 0, 0);
        if (max != null && Integer.compareUnsigned(function, max.eax()) > 0) {
            Entry basic = find(0, 0);
            function = basic == null ? 0 : basic.eax();
        }
        Entry e = find(function, index);
        return e != null ? e : new Entry(function, index, false, 0, 0, 0, 0);
    }

    private Entry find(int function, int index) {
        for (Entry e : entries) {
            if (e.function() == function && (!e.indexed() || e.index() == index)) {
                return e;
            }
        }
        return null;
    }

    private static int ascii(String four) {
        return le(four.getBytes(StandardCharsets.US_ASCII), 0);
    }

    private static int le(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
