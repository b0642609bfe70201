package dev.restvisor.core.devices.pic8259;

/** One 8259A in x86 mode. Not thread-safe: {@link PicPair} serializes access. */
final class Pic8259 {

    static final int ICW1_IC4 = 0x01;
    static final int ICW1_SNGL = 0x02;
    static final int ICW1_LTIM = 0x08;
    static final int ICW4_AEOI = 0x02;
    static final int ICW4_SFNM = 0x10;

    private final int elcrMask;
    private int irr;
    private int isr;
    private int imr;
    private int lines;
    private int elcr;
    private int initStep;
    private int icw1;
    private int icw2;
    private int icw3;
    private int icw4;
    private boolean readIsr;
    private boolean poll;
    private boolean specialMask;
    private boolean rotateInAutoEoi;
    private int lowestPriority = 7;

    /** {@code elcrMask}: the ELCR bits that exist (IRQ 0, 1, 2, 8 and 13 are always edge). */
    Pic8259(int elcrMask) {
        this.elcrMask = elcrMask;
    }

    // ---- inputs and priority resolution ----

    void setInput(int n, boolean level) {
        int bit = 1 << n;
        if (levelTriggered(bit)) {
            irr = level ? irr | bit : irr & ~bit;
        } else if (level && (lines & bit) == 0) {
            // Edge mode latches the rising edge in IRR until INTA (datasheet, "Edge and level
            // triggered modes").
            irr |= bit;
        }
        lines = level ? lines | bit : lines & ~bit;
    }

    private boolean levelTriggered(int bit) {
        return (icw1 & ICW1_LTIM) != 0 || (elcr & bit) != 0;
    }

    /** Priority rank of IR {@code n}: 0 is the highest. */
    private int rank(int n) {
        return (n - lowestPriority - 1) & 7;
    }

    private int highest(int mask) {
        for (int p = 0; p < 8; p++) {
            int n = (lowestPriority + 1 + p) & 7;
            if ((mask & 1 << n) != 0) {
                return n;
            }
        }
        return -1;
    }

    /**
     * The IR level the chip would signal on INT, or -1. In special mask mode a masked level in
     * service does not inhibit others (datasheet, "Special Mask Mode"); in special fully nested
     * mode a cascade input in service does not inhibit another request on the same input.
     */
    int pending() {
        if (initStep != 0) {
            return -1;
        }
        int n = highest(irr & ~imr);
        if (n < 0) {
            return -1;
        }
        int blocking = highest(specialMask ? isr & ~imr : isr);
        if (blocking < 0 || rank(n) < rank(blocking)) {
            return n;
        }
        boolean sfnmCascade = (icw4 & ICW4_SFNM) != 0 && n == blocking && isCascade(n);
        return sfnmCascade ? n : -1;
    }

    boolean isCascade(int n) {
        return (icw1 & ICW1_SNGL) == 0 && (icw3 & 1 << n) != 0;
    }

    /** The INTA sequence: returns the acknowledged IR level, or -1 for a spurious request. */
    int acknowledge() {
        int n = pending();
        if (n < 0) {
            return -1;
        }
        int bit = 1 << n;
        if (!levelTriggered(bit)) {
            irr &= ~bit;
        }
        if ((icw4 & ICW4_AEOI) == 0) {
            isr |= bit;
        } else if (rotateInAutoEoi) {
            lowestPriority = n;
        }
        return n;
    }

    /** The vector for IR {@code n}; a spurious request (-1) returns the IR7 vector. */
    int vector(int n) {
        return (icw2 & 0xF8) | (n < 0 ? 7 : n);
    }

    // ---- registers ----

    int read(int a0) {
        if (a0 == 1) {
            return imr;
        }
        if (poll) {
            // Poll command: the read acts as INTA (datasheet, "The Poll Command").
            poll = false;
            int n = acknowledge();
            return n < 0 ? 0 : 0x80 | n;
        }
        return readIsr ? isr : irr;
    }

    void write(int a0, int value) {
        if (a0 == 0) {
            if ((value & 0x10) != 0) {
                icw1(value);
            } else if ((value & 0x08) == 0) {
                ocw2(value);
            } else {
                ocw3(value);
            }
            return;
        }
        switch (initStep) {
            case 2 -> {
                icw2 = value;
                initStep = (icw1 & ICW1_SNGL) == 0 ? 3 : nextAfterIcw3();
            }
            case 3 -> {
                icw3 = value;
                initStep = nextAfterIcw3();
            }
            case 4 -> {
                icw4 = value;
                initStep = 0;
            }
            default -> imr = value; // OCW1
        }
    }

    private int nextAfterIcw3() {
        return (icw1 & ICW1_IC4) != 0 ? 4 : 0;
    }

    /**
     * ICW1 clears IMR, gives IR7 the lowest priority, leaves special mask mode, selects IRR for
     * reads and resets edge sensing so an input must rise again (datasheet, "Initialization
     * Command Words").
     */
    private void icw1(int value) {
        icw1 = value;
        initStep = 2;
        if ((value & ICW1_IC4) == 0) {
            icw4 = 0;
        }
        imr = 0;
        isr = 0;
        irr = (value & ICW1_LTIM) != 0 ? lines : lines & elcr;
        lowestPriority = 7;
        specialMask = false;
        readIsr = false;
        poll = false;
        rotateInAutoEoi = false;
    }

    /** OCW2: R, SL, EOI in bits 7-5, level in bits 2-0 (datasheet table "Operation Command Words"). */
    private void ocw2(int value) {
        int level = value & 7;
        switch (value >> 5) {
            case 0b001 -> nonSpecificEoi(false);
            case 0b101 -> nonSpecificEoi(true);
            case 0b011 -> isr &= ~(1 << level);
            case 0b111 -> {
                isr &= ~(1 << level);
                lowestPriority = level;
            }
            case 0b100 -> rotateInAutoEoi = true;
            case 0b000 -> rotateInAutoEoi = false;
            case 0b110 -> lowestPriority = level;
            default -> { } // 010: no operation
        }
    }

    /** In special mask mode a non-specific EOI leaves masked in-service levels alone. */
    private void nonSpecificEoi(boolean rotate) {
        int n = highest(specialMask ? isr & ~imr : isr);
        if (n < 0) {
            return;
        }
        isr &= ~(1 << n);
        if (rotate) {
            lowestPriority = n;
        }
    }

    private void ocw3(int value) {
        if ((value & 0x40) != 0) {
            specialMask = (value & 0x20) != 0;
        }
        if ((value & 0x02) != 0) {
            readIsr = (value & 0x01) != 0;
        }
        poll = (value & 0x04) != 0;
    }

    int elcr() {
        return elcr;
    }

    void writeElcr(int value) {
        elcr = value & elcrMask;
        irr = (irr & ~elcr) | (lines & elcr);
    }

    // ---- snapshots ----

    PicChipState state() {
        return new PicChipState(irr, isr, imr, lines, elcr, initStep, icw1, icw2, icw3, icw4, readIsr, poll,
                specialMask, rotateInAutoEoi, lowestPriority);
    }

    void restore(PicChipState s) {
        irr = s.irr() & 0xFF;
        isr = s.isr() & 0xFF;
        imr = s.imr() & 0xFF;
        lines = s.lines() & 0xFF;
        elcr = s.elcr() & elcrMask;
        initStep = s.initStep();
        icw1 = s.icw1();
        icw2 = s.icw2();
        icw3 = s.icw3();
        icw4 = s.icw4();
        readIsr = s.readIsr();
        poll = s.poll();
        specialMask = s.specialMask();
        rotateInAutoEoi = s.rotateInAutoEoi();
        lowestPriority = s.lowestPriority() & 7;
    }
}
