/**
 * The MC146818 real-time clock and CMOS RAM (Motorola MC146818A datasheet) behind the PC's
 * index/data ports 0x70/0x71: time of day from the injected clock plus a configurable epoch,
 * BCD or binary and 12 or 24 hour formats, registers A-D, the periodic, alarm and update-ended
 * interrupts on IRQ 8, 114 bytes of NVRAM, and the NMI mask in bit 7 of the index port.
 */
package dev.restvisor.core.devices.cmos;
