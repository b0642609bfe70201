/**
 * The only owner of live VMs: the registry of VMs by id, memory quotas, run budgets, and (for VMs
 * the service drives itself) the vcpu threads and the lifecycle of start, pause, resume, reset
 * and stop.
 */
package dev.restvisor.service.runtime;
