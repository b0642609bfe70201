package dev.restvisor.service.runtime;

import java.time.Instant;
import java.util.Map;

/**
 * One entry of a VM's event stream: lifecycle changes, exits the service handled, unclaimed I/O,
 * counters. {@code seq} increases by one per event of a VM.
 *
 * @param vcpu the vcpu concerned, or -1 for VM-wide events
 * @param data type-specific members, JSON-ready (numbers, strings, booleans)
 */
public record VmEvent(long seq, Instant time, String type, int vcpu, Map<String, Object> data) {
}
