package dev.restvisor.service.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The three stores over one database, migrated by Flyway as the service does it. */
record TestCatalog(JdbcTemplate jdbc, ImageStore images, DefinitionStore definitions, SnapshotStore snapshots) {

    static TestCatalog open(String url, StoreProperties properties, String schema) {
        DriverManagerDataSource ds = new DriverManagerDataSource(url);
        var flyway = Flyway.configure().dataSource(ds).locations("classpath:db/migration");
        if (schema != null) {
            flyway.schemas(schema).defaultSchema(schema);
        }
        flyway.load().migrate();
        return of(ds, properties);
    }

    static TestCatalog of(DataSource ds, StoreProperties properties) {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        return new TestCatalog(jdbc, new ImageStore(jdbc, tx, properties), new DefinitionStore(jdbc, tx),
                new SnapshotStore(jdbc, tx, properties));
    }

    static StoreProperties limits() {
        return new StoreProperties(64L << 20, 1L << 34);
    }
}
