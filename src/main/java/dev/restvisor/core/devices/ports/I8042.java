package dev.restvisor.core.devices.ports;

import dev.restvisor.core.io.IoBus;
import dev.restvisor.core.io.PortIoDevice;

/**
 * The 8042 keyboard controller with no keyboard or mouse attached: controller commands that
 * read and write the command byte and output port, the self tests, the keyboard and auxiliary
 * loopback writes (0xD2, 0xD3) that a driver uses to find the auxiliary port, and the output-port
 * pulse commands, of which 0xFE pulses the reset line. Bytes written for devices are dropped, so a
 * driver's device probes time out as on a PC with nothing plugged in. No IRQ is ever raised.
 */
public final class I8042 {

    public static final int DATA_PORT = 0x60;
    public static final int COMMAND_PORT = 0x64;

    public static final int STATUS_OBF = 0x01;
    public static final int STATUS_SYS = 0x04;
    public static final int STATUS_A2 = 0x08;
    public static final int STATUS_UNLOCKED = 0x10;
    /** The output buffer holds a byte from the auxiliary (mouse) port. */
    public static final int STATUS_AUX_DATA = 0x20;

    static final int CMD_READ_COMMAND_BYTE = 0x20;
    static final int CMD_WRITE_COMMAND_BYTE = 0x60;
    static final int CMD_DISABLE_AUX = 0xA7;
    static final int CMD_ENABLE_AUX = 0xA8;
    static final int CMD_TEST_AUX = 0xA9;
    static final int CMD_SELF_TEST = 0xAA;
    static final int CMD_TEST_KEYBOARD = 0xAB;
    static final int CMD_DISABLE_KEYBOARD = 0xAD;
    static final int CMD_ENABLE_KEYBOARD = 0xAE;
    static final int CMD_READ_OUTPUT_PORT = 0xD0;
    static final int CMD_WRITE_OUTPUT_PORT = 0xD1;
    static final int CMD_WRITE_KEYBOARD_OUTPUT = 0xD2;
    static final int CMD_WRITE_AUX_OUTPUT = 0xD3;

    private static final int COMMAND_BYTE_SYS = 0x04;
    private static final int COMMAND_BYTE_KEYBOARD_DISABLED = 0x10;
    private static final int COMMAND_BYTE_AUX_DISABLED = 0x20;
    private static final int OUTPUT_PORT_RESET = 0x01;
    private static final int OUTPUT_PORT_A20 = 0x02;

    private final PlatformControl platform;
    private final PortIoDevice dataPort = new DataPort();
    private final PortIoDevice commandPort = new CommandPort();
    /** System flag set and translation on, device interrupts off: what firmware leaves without devices. */
    private int commandByte = 0x44;
    /** Reset line inactive (high) and A20 enabled. */
    private int outputPort = OUTPUT_PORT_RESET | OUTPUT_PORT_A20;
    private int pendingCommand;
    private int outputBuffer = -1;
    private boolean outputFromAux;
    private int lastRead;
    private boolean lastWriteCommand;

    public I8042(PlatformControl platform) {
        this.platform = platform;
    }

    /** Claims the data port 0x60 and the status/command port 0x64. */
    public void claim(IoBus bus) {
        bus.claimPorts(DATA_PORT, 1, dataPort, "i8042-data");
        bus.claimPorts(COMMAND_PORT, 1, commandPort, "i8042-command");
    }

    private synchronized int readStatus() {
        return (outputBuffer >= 0 ? STATUS_OBF : 0) | (outputBuffer >= 0 && outputFromAux ? STATUS_AUX_DATA : 0)
                | (commandByte & COMMAND_BYTE_SYS)
                | (lastWriteCommand ? STATUS_A2 : 0) | STATUS_UNLOCKED;
    }

    private synchronized int readData() {
        if (outputBuffer >= 0) {
            lastRead = outputBuffer;
            outputBuffer = -1;
        }
        return lastRead;
    }

    private synchronized void writeData(int value) {
        lastWriteCommand = false;
        int command = pendingCommand;
        pendingCommand = 0;
        switch (command) {
            case CMD_WRITE_COMMAND_BYTE -> commandByte = value;
            case CMD_WRITE_OUTPUT_PORT -> writeOutputPort(value);
            case CMD_WRITE_KEYBOARD_OUTPUT, CMD_WRITE_AUX_OUTPUT -> output(value, command == CMD_WRITE_AUX_OUTPUT);
            default -> { } // a byte for the keyboard, which is not there
        }
    }

    private synchronized void writeCommand(int value) {
        lastWriteCommand = true;
        pendingCommand = 0;
        switch (value) {
            case CMD_READ_COMMAND_BYTE -> output(commandByte, false);
            case CMD_WRITE_COMMAND_BYTE, CMD_WRITE_OUTPUT_PORT, CMD_WRITE_KEYBOARD_OUTPUT, CMD_WRITE_AUX_OUTPUT -> pendingCommand = value;
            case CMD_DISABLE_AUX -> commandByte |= COMMAND_BYTE_AUX_DISABLED;
            case CMD_ENABLE_AUX -> commandByte &= ~COMMAND_BYTE_AUX_DISABLED;
            case CMD_DISABLE_KEYBOARD -> commandByte |= COMMAND_BYTE_KEYBOARD_DISABLED;
            case CMD_ENABLE_KEYBOARD -> commandByte &= ~COMMAND_BYTE_KEYBOARD_DISABLED;
            case CMD_SELF_TEST -> output(0x55, false);
            case CMD_TEST_KEYBOARD, CMD_TEST_AUX -> output(0x00, false);
            case CMD_READ_OUTPUT_PORT -> output(outputPort, false);
            default -> {
                // 0xF0-0xFF pulse output port bits 0-3 low for 6 us where the command bit is 0;
                // bit 0 is the CPU reset line, so 0xFE resets the machine.
                if ((value & 0xF0) == 0xF0 && (value & OUTPUT_PORT_RESET) == 0) {
                    platform.reset();
                }
            }
        }
    }

    private void output(int value, boolean fromAux) {
        outputBuffer = value;
        outputFromAux = fromAux;
    }

    private void writeOutputPort(int value) {
        int before = outputPort;
        outputPort = value | OUTPUT_PORT_RESET;
        if (((before ^ value) & OUTPUT_PORT_A20) != 0) {
            platform.setA20((value & OUTPUT_PORT_A20) != 0);
        }
        if ((value & OUTPUT_PORT_RESET) == 0) {
            platform.reset(); // driving the reset line low resets the CPU
        }
    }

    public synchronized I8042State state() {
        return new I8042State(commandByte, outputPort, pendingCommand, outputBuffer, outputFromAux, lastWriteCommand);
    }

    /** Restores the registers without calling the platform: the VM restores A20 itself. */
    public synchronized void restore(I8042State s) {
        commandByte = s.commandByte() & 0xFF;
        outputPort = s.outputPort() & 0xFF;
        pendingCommand = s.pendingCommand() & 0xFF;
        outputBuffer = s.outputBuffer() < 0 ? -1 : s.outputBuffer() & 0xFF;
        outputFromAux = s.outputFromAux();
        lastWriteCommand = s.lastWriteCommand();
    }

    public static I8042 fromState(I8042State s, PlatformControl platform) {
        I8042 kbc = new I8042(platform);
        kbc.restore(s);
        return kbc;
    }

    private final class DataPort implements PortIoDevice {
        @Override
        public int read(int offset, int size) {
            return readData();
        }

        @Override
        public void write(int offset, int size, int value) {
            writeData(value & 0xFF);
        }
    }

    private final class CommandPort implements PortIoDevice {
        @Override
        public int read(int offset, int size) {
            return readStatus();
        }

        @Override
        public void write(int offset, int size, int value) {
            writeCommand(value & 0xFF);
        }
    }
}
