package dev.restvisor.core.devices.ports;

/** System Control Port A's register; bit 1 is the A20 gate. */
public record PortAState(int value) {
}
