package dev.restvisor.bench;

import dev.restvisor.RestvisorApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * KVM_RUN round trips over HTTP. A guest loops on {@code out 0x10, al} (a port nobody claims), so
 * every run returns one KVM_EXIT_IO; a keep-alive client on loopback runs it back to back. The
 * baseline is the same client on an endpoint that does no work ({@code GET /api-version}), in the
 * same process and run.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.restvisor.bench.ExitRoundTripBenchmark}
 */
public final class ExitRoundTripBenchmark {
    private static final int WARMUP_SECONDS = 5;
    private static final int MEASURE_SECONDS = 10;

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
                rate(client, run, WARMUP_SECONDS, "KVM_EXIT_IO");
                rate(client, empty, WARMUP_SECONDS, "api_version");
                double baseline = rate(client, empty, MEASURE_SECONDS, "api_version");
                double exits = rate(client, run, MEASURE_SECONDS, "KVM_EXIT_IO");
            System.out.printf(Locale.ROOT, "empty endpoint baseline: %.0f requests/s%n", baseline);
            System.out.printf(Locale.ROOT, "KVM_RUN exit round trips: %.0f exits/s%n", exits);
                System.out.printf(Locale.ROOT, "ratio baseline/exits: %.2fx%n", baseline / exits);
            }
        } finally {
            app.close();
        }
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

    private static double rate(KeepAliveClient client, byte[] request, int seconds, String expected) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        long count = 0;
        while (System.nanoTime() < end) {
            KeepAliveClient.Response r = client.send(request);
            if (r.status() != 200 || !r.body().contains(expected)) {
                throw new IllegalStateException("unexpected answer " + r.status() + ": " + r.body());
            }
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static String send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
