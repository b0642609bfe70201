package dev.restvisor.service.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * openapi/restvisor.yaml is a product surface: it must equal what the service serves, and every
 * field and every response must carry a description.
 */
class OpenApiDocumentTest extends ApiTest {
    static final Path COMMITTED = Path.of("openapi", "restvisor.yaml");
    private static final String REFRESH = "./mvnw test -Dtest=OpenApiDocumentTest -Drestvisor.openapi.write=true";

    @Test
    void committedDocumentMatchesTheService() throws IOException {
        String served = given().get("/v3/api-docs.yaml").then().statusCode(200).extract().asString()
                .replaceAll("http://localhost:\\d+", "http://localhost:8080");
        if (Boolean.getBoolean("restvisor.openapi.write")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, served);
        }
        if (!Files.exists(COMMITTED)) {
            fail(COMMITTED + " is missing; create it with: " + REFRESH);
        }
        assertEquals(Files.readString(COMMITTED), served,
                COMMITTED + " differs from what the service serves at /v3/api-docs.yaml. If the API change is intended, refresh it with: " + REFRESH);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFieldAndResponseIsDescribed() {
        Map<String, Object> doc = given().get("/v3/api-docs").then().statusCode(200).extract().as(Map.class);
        List<String> missing = new ArrayList<>();
        Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
        schemas.forEach((name, schema) -> {
            Map<String, Object> props = (Map<String, Object>) ((Map<String, Object>) schema).get("properties");
            if (props != null) {
                props.forEach((prop, p) -> {
                    Map<String, Object> ps = (Map<String, Object>) p;
                    if (!ps.containsKey("description") && !ps.containsKey("$ref")) {
                        missing.add("schema " + name + "." + prop);
                    }
                });
            }
        });
        Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
        paths.forEach((path, item) -> ((Map<String, Object>) item).forEach((method, op) -> {
            Map<String, Object> operation = (Map<String, Object>) op;
            if (!operation.containsKey("operationId")) {
                missing.add(method + " " + path + " operationId");
            }
            ((Map<String, Object>) operation.get("responses")).forEach((code, resp) -> {
                Object d = ((Map<String, Object>) resp).get("description");
                if (d == null || d.toString().isBlank() || d.equals("OK")) {
                    missing.add(method + " " + path + " response " + code);
                }
            });
            List<Map<String, Object>> params = (List<Map<String, Object>>) operation.get("parameters");
            if (params != null) {
                params.stream().filter(p -> !p.containsKey("description")).forEach(p -> missing.add(method + " " + path + " parameter " + p.get("name")));
            }
        }));
        assertTrue(missing.isEmpty(), "undescribed: " + String.join(", ", missing));
    }
}
