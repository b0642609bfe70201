package dev.restvisor.bench;

import dev.restvisor.RestvisorApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * KVM_RUN round trips over HTTP. A guest loops on {@code out 0x10, al} (a port nobody claims), so
 * every run returns one KVM_EXIT_IO; a keep-alive client on loopback runs it back to back. The
 * baseline is the same client on an endpoint that does no work ({@code GET /api-version}, through
 * the same Tomcat and Spring MVC stack and the same JSON converter), in the same process and run.
 * Baseline and exits are measured in alternating slices of 100 ms, so a noisy machine (other
 * builds) disturbs both alike; each round's rates and ratio are printed, then the medians.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.restvisor.bench.ExitRoundTripBenchmark} (system properties
 * {@code bench.rounds}, default 5, and {@code bench.seconds} per round, default 6).
 */
public final class ExitRoundTripBenchmark {
    private static final int WARMUP_ROUNDS = 3;
    private static final int WARMUP_SECONDS = 3;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final int MEASURE_SECONDS = Integer.getInteger("bench.seconds", 6);
    private static final int SLICE_MILLIS = 100;

    private ExitRoundTripBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ConfigurableApplicationContext app = SpringApplication.run(RestvisorApplication.class, "--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:bench", "--logging.level.root=WARN");
        try {
            int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://localhost:" + port;
            String vm = createLoopingGuest(http, base);
            try (KeepAliveClient client = new KeepAliveClient(port)) {
                byte[] run = client.request("POST", "/vms/" + vm + "/vcpus/0/run", "application/json", "{}".getBytes());
                byte[] empty = client.request("GET", "/api-version", null, null);
                byte[] exitIo = "\"KVM_EXIT_IO\"".getBytes(StandardCharsets.US_ASCII);
                byte[] apiVersion = "\"api_version\"".getBytes(StandardCharsets.US_ASCII);
                // The JIT keeps compiling Tomcat and Spring MVC for a long while on a small machine: warm both up in turns.
                for (int i = 0; i < WARMUP_ROUNDS; i++) {
                    repeatFor(client, run, exitIo, WARMUP_SECONDS * 1_000_000_000L);
                    repeatFor(client, empty, apiVersion, WARMUP_SECONDS * 1_000_000_000L);
                }
                double[] baselines = new double[ROUNDS];
                double[] exits = new double[ROUNDS];
                double[] ratios = new double[ROUNDS];
                for (int round = 0; round < ROUNDS; round++) {
                    // Short alternating slices: whatever else the machine runs meanwhile slows both alike.
                    long[] counts = new long[2];
                    long[] nanos = new long[2];
                    long end = System.nanoTime() + MEASURE_SECONDS * 1_000_000_000L;
                    while (System.nanoTime() < end) {
                        slice(client, empty, apiVersion, counts, nanos, 0);
                        slice(client, run, exitIo, counts, nanos, 1);
                    }
                    baselines[round] = counts[0] / (nanos[0] / 1e9);
                    exits[round] = counts[1] / (nanos[1] / 1e9);
                    ratios[round] = baselines[round] / exits[round];
                    System.out.printf(Locale.ROOT, "round %d: empty endpoint baseline %.0f requests/s, KVM_RUN %.0f exits/s, ratio %.2fx%n",
                            round + 1, baselines[round], exits[round], ratios[round]);
                }
                System.out.printf(Locale.ROOT, "empty endpoint baseline: %.0f requests/s (median of %d)%n", median(baselines), ROUNDS);
                System.out.printf(Locale.ROOT, "KVM_RUN exit round trips: %.0f exits/s (median of %d)%n", median(exits), ROUNDS);
                System.out.printf(Locale.ROOT, "ratio baseline/exits: %.2fx (median of the rounds' ratios)%n", median(ratios));
            }
        } finally {
            app.close();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String createLoopingGuest(HttpClient http, String base) throws Exception {
        String body = "{\"name\":\"bench\",\"vcpus\":1,\"memory_regions\":[{\"slot\":0,\"guest_phys_addr\":\"0x0\",\"memory_size\":\"0x10000\"}]}";
        String created = send(http, HttpRequest.newBuilder(URI.create(base + "/vms")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        String vm = created.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        // out 0x10, al ; jmp $-4   (E6 10  EB FC)
        send(http, HttpRequest.newBuilder(URI.create(base + "/vms/" + vm + "/memory?address=0x1000"))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xE6, 0x10, (byte) 0xEB, (byte) 0xFC})).build());
        send(http, HttpRequest.newBuilder(URI.create(base + "/vms/" + vm + "/vcpus/0/sregs")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"cs\":{\"base\":\"0x0\",\"limit\":65535,\"selector\":0,\"type\":11,\"present\":1,"
                        + "\"dpl\":0,\"db\":0,\"s\":1,\"l\":0,\"g\":0,\"avl\":0,\"unusable\":0}}")).build());
        send(http, HttpRequest.newBuilder(URI.create(base + "/vms/" + vm + "/vcpus/0/regs")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"rip\":\"0x1000\"}")).build());
        return vm;
    }

    /** One slice of {@value #SLICE_MILLIS} ms of one kind of request, added to that kind's count and time. */
    private static void slice(KeepAliveClient client, byte[] request, byte[] expected, long[] counts, long[] nanos, int kind)
            throws Exception {
        long[] done = repeatFor(client, request, expected, SLICE_MILLIS * 1_000_000L);
        counts[kind] += done[0];
        nanos[kind] += done[1];
    }

    /** Sends {@code request} over and over for at least {@code duration} ns; returns {exchanges, nanoseconds taken}. */
    private static long[] repeatFor(KeepAliveClient client, byte[] request, byte[] expected, long duration) throws Exception {
        long start = System.nanoTime();
        long end = start + duration;
        long count = 0;
        long now;
        do {
            exchange(client, request, expected);
            count++;
            now = System.nanoTime();
        } while (now < end);
        return new long[] {count, now - start};
    }

    private static void exchange(KeepAliveClient client, byte[] request, byte[] expected) throws Exception {
        int status = client.send(request);
        if (status != 200 || !client.bodyContains(expected)) {
            throw new IllegalStateException("unexpected answer " + status + ": " + client.body());
        }
    }

    private static String send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
