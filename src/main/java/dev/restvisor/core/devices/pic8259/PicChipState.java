package dev.restvisor.core.devices.pic8259;

/**
 * One 8259A's registers. {@code lines} are the IR input levels (for edge detection);
 * {@code initStep} is the next ICW expected (2, 3 or 4) or 0 when initialized;
 * {@code lowestPriority} is the IR level that currently has the lowest priority (7 after ICW1).
 */
public record PicChipState(int irr, int isr, int imr, int lines, int elcr, int initStep, int icw1, int icw2,
                           int icw3, int icw4, boolean readIsr, boolean poll, boolean specialMask,
                           boolean rotateInAutoEoi, int lowestPriority) {
}
