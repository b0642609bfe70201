/**
 * The PC's pair of 8259A programmable interrupt controllers (Intel 8259A datasheet, 231468):
 * master at 0x20, slave at 0xA0 cascaded on master IR2, and the ELCR edge/level registers at
 * 0x4D0/0x4D1. The pair is the vcpu's {@link dev.restvisor.core.io.InterruptController} and
 * hands out one {@link dev.restvisor.core.io.IrqLine} per ISA IRQ.
 */
package dev.restvisor.core.devices.pic8259;
