package dev.restvisor.core.devices.acpi;

/** The PM1a registers: PM1_STS, PM1_EN and PM1_CNT. */
public record PowerManagementState(int status, int enable, int control) {
}
