package dev.restvisor.core.devices.ports;

/**
 * The 8042's registers: the controller command byte, the output port, a command waiting for its
 * data byte (0 when none), the output buffer (-1 when empty), whether that byte came from the
 * auxiliary port (status bit 5) and whether the last write went to the command port (status bit 3).
 */
public record I8042State(int commandByte, int outputPort, int pendingCommand, int outputBuffer,
                         boolean outputFromAux, boolean lastWriteCommand) {
}
