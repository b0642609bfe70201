/**
 * The 8254 programmable interval timer (Intel 8254 datasheet, 231164) at 0x40-0x43 with its
 * 1.193182 MHz input clock, plus PC system control port B (0x61) which carries channel 2's gate
 * and output. Counters are not stepped: each channel's count and OUT are computed from the
 * injected clock, and channel 0's rising OUT edges are delivered to IRQ 0 through
 * {@link dev.restvisor.core.io.TimedDevice}.
 */
package dev.restvisor.core.devices.pit8254;
