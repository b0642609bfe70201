/**
 * Small PC ports: a configurable debug-exit port, POST codes on 0x80, the 0xE9 debug console,
 * System Control Port A at 0x92 (fast A20 gate and fast reset) and just enough of the 8042
 * keyboard controller (0x60/0x64) for firmware-less guests to probe it, gate A20 and reset the
 * machine. Their effects leave the device through injected callbacks.
 */
package dev.restvisor.core.devices.ports;
