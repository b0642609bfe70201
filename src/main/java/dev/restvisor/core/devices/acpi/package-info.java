/**
 * ACPI fixed hardware (ACPI 6.5 chapter 4.8): the PM1 event and control register blocks through which an
 * operating system enables ACPI events and enters sleep states, here above all S5, soft-off.
 */
package dev.restvisor.core.devices.acpi;
