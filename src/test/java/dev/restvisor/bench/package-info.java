/**
 * Benchmarks: programs run by hand (see README, "Performance"), never assertions in the test
 * suite. Each reports its figure beside a baseline measured in the same run.
 */
package dev.restvisor.bench;
