package dev.restvisor.core.devices.ports;

/** The last POST code written to port 0x80. */
public record PostCodeState(int lastCode) {
}
