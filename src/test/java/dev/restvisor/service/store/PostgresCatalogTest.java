package dev.restvisor.service.store;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * The catalog contract on a real PostgreSQL server, in a fresh schema per test. Runs when
 * RESTVISOR_TEST_POSTGRES_URL names one (e.g.
 * {@code jdbc:postgresql://127.0.0.1:5432/restvisor_test?user=restvisor&password=restvisor};
 * .ci/run starts Debian's postgresql and sets it) and is skipped, saying so, otherwise.
 */
class PostgresCatalogTest extends CatalogContract {
    static final String URL = System.getenv("RESTVISOR_TEST_POSTGRES_URL");
    private TestCatalog catalog;

    @BeforeEach
    void open() {
        Assumptions.assumeTrue(URL != null && !URL.isBlank(),
                "RESTVISOR_TEST_POSTGRES_URL is not set: no PostgreSQL server to run the catalog contract against");
        String schema = "restvisor_test_" + Long.toHexString(System.nanoTime());
        String url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        catalog = TestCatalog.open(url, TestCatalog.limits(), schema);
    }

    @Override
    TestCatalog catalog() {
        return catalog;
    }
}
