package dev.restvisor.core.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One bit per 4 KiB page of a slot, bit 0 being the slot's first page (KVM_GET_DIRTY_LOG).
 * Set by any vcpu thread; read-and-cleared by the API thread, so words are updated atomically.
 * Marking a page that is already marked is one load and test: the common case of a guest
 * writing the same pages again and again costs no atomic instruction.
 */
public final class DirtyBitmap {
    static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;
    private final long pages;
    private final long[] watched;

    /** @param watched the slot's watch bits, set again for every page a clear unmarks (see MemorySlot) */
    DirtyBitmap(long pages, long[] watched) {
        this.pages = pages;
        this.words = new long[(int) ((pages + 63) >>> 6)];
        this.watched = watched;
    }

    public void mark(long page) {
        int word = (int) (page >>> 6);
        long bit = 1L << page;
        // opaque: a plain load the JIT may not hoist, so a clear by the API thread is seen promptly
        if (((long) WORDS.getOpaque(words, word) & bit) == 0) {
            WORDS.getAndBitwiseOr(words, word, bit);
        }
    }

    public long pages() {
        return pages;
    }

    /** Returns the bitmap as little-endian bytes (kvm_dirty_log layout) and clears it. */
    public byte[] readAndClear() {
        byte[] out = new byte[(int) ((pages + 7) >>> 3)];
        for (int w = 0; w < words.length; w++) {
            long v = (long) WORDS.getAndSet(words, w, 0L);
            // after the clear: the next write to each of these pages marks it again
            WORDS.getAndBitwiseOr(watched, w, v);
            for (int b = 0; b < 8 && w * 8 + b < out.length; b++) {
                out[w * 8 + b] = (byte) (v >>> (8 * b));
            }
        }
        return out;
    }
}
