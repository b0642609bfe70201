package dev.restvisor.core.cpu.state;

/**
 * A segment register with its hidden descriptor cache, field for field kvm_segment.
 *
 * @param type the 4-bit descriptor type (SDM Vol. 3A 3.4.5.1), bit 0 being "accessed"
 * @param s 1 for code/data, 0 for system segments
 * @param db default operation size (D/B)
 * @param l 64-bit code segment
 * @param g granularity; {@code limit} is already scaled (byte granular), as in kvm_segment
 * @param unusable the "null" state of the SDM (a null selector loaded in protected mode)
 */
public record Segment(int selector, long base, int limit, int type, int present, int dpl, int db, int s,
                      int l, int g, int avl, int unusable) {

    /** The real-mode/reset form: base = selector * 16, 64 KiB limit, present read/write data (type 3). */
    public static Segment real(int selector, int type) {
        return new Segment(selector & 0xffff, (long) (selector & 0xffff) << 4, 0xffff, type, 1, 0, 0, 1, 0, 0, 0, 0);
    }

    public Segment withSelector(int sel) {
        return new Segment(sel, base, limit, type, present, dpl, db, s, l, g, avl, unusable);
    }

    public Segment withBase(long b) {
        return new Segment(selector, b, limit, type, present, dpl, db, s, l, g, avl, unusable);
    }

    public boolean isCode() {
        return s == 1 && (type & 8) != 0;
    }

    /** Readable: data segments always, code segments when type bit 1 (R) is set. */
    public boolean readable() {
        return s == 1 && ((type & 8) == 0 || (type & 2) != 0);
    }

    /** Writable: data segments with type bit 1 (W). */
    public boolean writable() {
        return s == 1 && (type & 8) == 0 && (type & 2) != 0;
    }

    /** Expand-down data segment (type bit 2 of a data segment). */
    public boolean expandDown() {
        return s == 1 && (type & 8) == 0 && (type & 4) != 0;
    }

    public boolean isUnusable() {
        return unusable != 0;
    }
}
