/**
 * The 16550A UART (National Semiconductor PC16550D datasheet): every register, 16-byte
 * receiver FIFO with trigger levels, the IIR priority rules, loopback, and a bounded input queue
 * that feeds console keystrokes into the receiver as fast as the guest drains it. Transmitted
 * bytes go to an injected sink at once, so THRE and TEMT are set again before the next
 * instruction; the character-timeout interrupt runs on the injected clock. The IRQ output is
 * gated by MCR OUT2 (and forced off in loopback) as on PC serial cards.
 */
package dev.restvisor.core.devices.uart16550;
