package dev.restvisor.core.devices.ports;

/** What the reset and A20 outputs of port 0x92 and the 8042 drive; the VM implements it. */
public interface PlatformControl {

    /** The CPU reset line was pulsed. */
    void reset();

    /** The A20 gate was set; {@code false} makes physical address bit 20 read as zero. */
    void setA20(boolean enabled);
}
