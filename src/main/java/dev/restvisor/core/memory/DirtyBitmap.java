package dev.restvisor.core.memory;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One bit per 4 KiB page of a slot, bit 0 being the slot's first page (KVM_GET_DIRTY_LOG).
 * Set by any vcpu thread; read-and-cleared by the API thread, so words are atomic.
 */
public final class DirtyBitmap {
    private final AtomicLongArray words;
    private final long pages;

    public DirtyBitmap(long pages) {
        this.pages = pages;
        this.words = new AtomicLongArray((int) ((pages + 63) >>> 6));
    }

    public void mark(long page) {
        int word = (int) (page >>> 6);
        long bit = 1L << page;
        if ((words.getPlain(word) & bit) == 0) {
            words.getAndAccumulate(word, bit, (a, b) -> a | b);
        }
    }

    public long pages() {
        return pages;
    }

    /** Returns the bitmap as little-endian bytes (kvm_dirty_log layout) and clears it. */
    public byte[] readAndClear() {
        byte[] out = new byte[(int) ((pages + 7) >>> 3)];
        for (int w = 0; w < words.length(); w++) {
            long v = words.getAndSet(w, 0);
            for (int b = 0; b < 8 && w * 8 + b < out.length; b++) {
                out[w * 8 + b] = (byte) (v >>> (8 * b));
            }
        }
        return out;
    }
}
